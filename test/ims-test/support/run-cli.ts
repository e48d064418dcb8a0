/** Runs the built `ims-test` command (dist/scripts/ims-test.js) as `npm run ims-test` does. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { childElements, parseXml, XmlElement } from '@lib/ims';
import { ROOT } from '../../support/lab';

export const CLI = path.join(ROOT, 'dist', 'scripts', 'ims-test.js');

/** Builds dist/ when the command is missing (a bare `npx jest` after a clean clone). */
export function ensureCliBuilt(): void {
  if (!fs.existsSync(CLI)) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'build.js')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function runCli(args: string[], timeoutMs = 240000): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [CLI, ...args], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error(`ims-test did not finish within ${timeoutMs} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    proc.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface JunitCase {
  name: string;
  classname: string;
  outcome: 'passed' | 'failure' | 'error' | 'skipped';
  clauses: string[];
  systemOut: string;
}

/** Reads a JUnit XML file back: every testcase with its outcome. */
export function readJunit(xml: string): { root: XmlElement; cases: JunitCase[] } {
  const root = parseXml(xml);
  const cases: JunitCase[] = [];
  for (const suite of childElements(root, 'testsuite')) {
    for (const tc of childElements(suite, 'testcase')) {
      const has = (n: string) => childElements(tc, n).length > 0;
      const props = childElements(tc, 'properties').flatMap((p) => childElements(p, 'property'));
      const out = childElements(tc, 'system-out')[0];
      cases.push({
        name: tc.attributes.name,
        classname: tc.attributes.classname,
        outcome: has('failure')
          ? 'failure'
          : has('error')
            ? 'error'
            : has('skipped')
              ? 'skipped'
              : 'passed',
        clauses: props.filter((p) => p.attributes.name === 'clause').map((p) => p.attributes.value),
        systemOut: out ? out.children.filter((c) => typeof c === 'string').join('') : '',
      });
    }
  }
  return { root, cases };
}
