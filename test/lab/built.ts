/** The built launcher and scripts the lab specs run (as `npm start` runs them, from dist/). */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from '../support/lab';

export const DIST_SCRIPTS = path.join(ROOT, 'dist', 'scripts');

/** Builds dist/ when one of the given scripts is missing (a bare `npx jest` after a clean clone). */
export function ensureScriptsBuilt(...names: string[]): void {
  if (names.every((n) => fs.existsSync(path.join(DIST_SCRIPTS, `${n}.js`)))) return;
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], {
    cwd: ROOT,
    stdio: 'inherit',
  });
}
