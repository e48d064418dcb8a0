#!/usr/bin/env node
// Checks the dependency direction of DESIGN.md over every import in apps/ and libs/:
//   apps -> libs/ims -> libs/sip, libs/diameter; libs never import NestJS (libs/ims may use
//   nothing but node: built-ins and the two protocol libs); no app imports another app.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const problems = [];

function* walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* walk(full);
    else if (entry.name.endsWith('.ts')) yield full;
  }
}

const importRe = /(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|require\(\s*['"]([^'"]+)['"]\s*\)|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function owner(file) {
  const rel = path.relative(root, file).split(path.sep);
  return rel[0] === 'apps' || rel[0] === 'libs' ? `${rel[0]}/${rel[1]}` : rel[0];
}

function target(file, spec) {
  const alias = /^@lib\/([^/]+)/.exec(spec);
  if (alias) return `libs/${alias[1]}`;
  if (spec.startsWith('.')) return owner(path.resolve(path.dirname(file), spec));
  return spec.startsWith('node:') ? 'node' : 'package';
}

for (const top of ['apps', 'libs']) {
  const base = path.join(root, top);
  if (!fs.existsSync(base)) continue;
  for (const file of walk(base)) {
    const me = owner(file);
    const text = fs.readFileSync(file, 'utf8');
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] || m[2] || m[3];
      const to = target(file, spec);
      const where = `${path.relative(root, file)}: imports '${spec}'`;
      if (to === me || to === 'node') continue;
      if (me === 'libs/sip' || me === 'libs/diameter') {
        if (to !== 'package' || !isTestFile(file)) problems.push(`${where} (libs/sip and libs/diameter use only node: built-ins)`);
      } else if (me === 'libs/ims') {
        if (to.startsWith('apps/') || /^@nestjs\//.test(spec)) problems.push(`${where} (libs/ims must not import apps or NestJS)`);
      } else if (me.startsWith('apps/')) {
        if (to.startsWith('apps/')) problems.push(`${where} (an app never imports another app)`);
      }
    }
  }
}

function isTestFile(file) {
  return /\.(spec|e2e-spec)\.ts$/.test(file);
}

if (problems.length) {
  console.error(`Layering violations (DESIGN.md, "Dependency direction"):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('layers: ok');
