// ESLint flat config. Layering (DESIGN.md): libs/sip and libs/diameter use only node: built-ins
// and never import NestJS or each other; apps never import another app. scripts/check-layers.js
// checks the same rules over the whole import graph.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nest = { group: ['@nestjs/*', 'typeorm', 'class-validator', 'class-transformer'], message: 'libs/sip and libs/diameter are plain TypeScript: no NestJS or ORM imports.' };

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'data/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-control-regex': 'off',
    },
  },
  {
    files: ['libs/sip/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nest, { group: ['@lib/diameter', '@lib/diameter/*', '@lib/ims', '@lib/ims/*', '**/apps/**'], message: 'libs/sip imports nothing from other libs or apps.' }] }] },
  },
  {
    files: ['libs/diameter/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [nest, { group: ['@lib/sip', '@lib/sip/*', '@lib/ims', '@lib/ims/*', '**/apps/**'], message: 'libs/diameter imports nothing from other libs or apps.' }] }] },
  },
  {
    files: ['libs/ims/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ group: ['@nestjs/*', '**/apps/**'], message: 'libs/ims is plain TypeScript: no NestJS, no apps.' }] }] },
  },
);
