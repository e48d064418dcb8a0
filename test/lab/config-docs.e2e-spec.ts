/**
 * docs/configuration.md documents EVERY variable of every role with its default: its tables
 * are generated from the roles' own configuration specs, and this spec fails when the doc is
 * out of date (regenerate with `node dist/scripts/config-docs.js --write`).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse } from '@lib/ims';
import {
  CONFIG_DOC_BEGIN,
  CONFIG_DOC_END,
  ConfigDocError,
  configRows,
  formatValue,
  renderConfigTables,
  updateConfigDoc,
} from '../../scripts/config-docs';
import { DIST_SCRIPTS, ensureScriptsBuilt } from './built';

const docFile = path.join(__dirname, '..', '..', 'docs', 'configuration.md');

/**
 * The roles' config modules import @nestjs/config, an ES module jest's CommonJS runtime
 * cannot load: the generator runs from dist/ in plain node, as people run it.
 */
function configDocs(mode: string): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [path.join(DIST_SCRIPTS, 'config-docs.js'), mode], {
    encoding: 'utf8',
    timeout: 20000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A table row `| \`ENV\` | \`default\` |`, columns padded. */
function row(env: string, def: string): RegExp {
  const q = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\| \`${q(env)}\` +\\| \`${q(def)}\` +\\|`);
}

describe('docs/configuration.md', () => {
  beforeAll(() => ensureScriptsBuilt('config-docs'));
  const doc = fs.readFileSync(docFile, 'utf8');

  it('is up to date with the roles configuration specs', () => {
    const r = configDocs('--check');
    // On failure: npm run build && node dist/scripts/config-docs.js --write
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('lists every variable of every role that has a config module, with its default', () => {
    const r = configDocs('--json');
    expect(r.status).toBe(0);
    const roles = JSON.parse(r.stdout) as { role: string; title: string; rows: string[][] }[];
    const withRows = roles.filter((x) => x.rows.length > 0);
    expect(withRows.map((x) => x.role)).toEqual(expect.arrayContaining(['hss']));
    for (const role of withRows) {
      const start = doc.indexOf(`### ${role.title} (`);
      expect(start).toBeGreaterThan(0);
      const next = doc.indexOf('### ', start + 4);
      const section = doc.slice(start, next < 0 ? undefined : next);
      for (const [env, def] of role.rows) {
        expect(section).toMatch(row(env, def.replace(/\|/g, '\\|')));
      }
    }
    // Contract defaults of DESIGN.md, as the HSS's spec resolves them.
    expect(doc).toMatch(row('HSS_REST_PORT', '8080'));
    expect(doc).toMatch(row('HSS_DIAMETER_PORT', '3868'));
    expect(doc).toMatch(row('HSS_DB_PATH', './data/hss.sqlite'));
  });

  it('refuses an unknown mode', () => {
    const r = configDocs('--frobnicate');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/usage: config-docs/);
  });
});

describe('config-docs generator', () => {
  const spec = {
    domain: { env: 'X_DOMAIN', doc: 'domain', default: 'ims.test', parse: parse.host },
    port: { env: 'X_PORT', doc: 'a | b', default: 5060, parse: parse.port },
    name: {
      env: 'X_NAME',
      doc: 'derived',
      default: (r: Record<string, unknown>) => `sip:x.${String(r.domain)}:${String(r.port)}`,
      parse: parse.sipUri,
    },
    key: { env: 'X_KEY', doc: 'required', parse: parse.str },
  };

  it('resolves derived defaults from the values before them and marks required ones', () => {
    expect(configRows(spec)).toEqual([
      ['X_DOMAIN', 'ims.test', 'domain'],
      ['X_PORT', '5060', 'a | b'],
      ['X_NAME', 'sip:x.ims.test:5060 (derived)', 'derived'],
      ['X_KEY', '(required)', 'required'],
    ]);
  });

  it('formats maps, lists, host:port and S-CSCF entries as they are written', () => {
    expect(formatValue(new Map([['a.test', '127.0.0.1']]))).toBe('a.test=127.0.0.1');
    expect(formatValue(new Map())).toBe('(empty)');
    expect(formatValue(['x', 'y'])).toBe('x,y');
    expect(formatValue({ host: '127.0.0.1', port: 3868 })).toBe('127.0.0.1:3868');
    expect(formatValue([{ uri: 'sip:s.test:6060', capabilities: ['1', '2'] }])).toBe(
      'sip:s.test:6060|1;2',
    );
  });

  it('escapes table separators and replaces only the generated part', () => {
    const tables = renderConfigTables([{ role: 'x', title: 'X', specs: [spec] }]);
    expect(tables).toMatch(/^\| `X_PORT` +\| `5060` +\| a \\\| b +\|$/m);
    // Every line of a table has the same width (prettier's layout).
    const widths = new Set(
      tables
        .split('\n')
        .filter((l) => l.startsWith('|'))
        .map((l) => l.length),
    );
    expect(widths.size).toBe(1);
    const before = `intro\n${CONFIG_DOC_BEGIN}\nold\n${CONFIG_DOC_END}\noutro\n`;
    const after = updateConfigDoc(before, tables);
    expect(after.startsWith(`intro\n${CONFIG_DOC_BEGIN}\n\n### X`)).toBe(true);
    expect(after).not.toContain('old');
    expect(after.endsWith(`${CONFIG_DOC_END}\noutro\n`)).toBe(true);
    expect(updateConfigDoc(after, tables)).toBe(after);
  });

  it('refuses a doc without its markers with a typed error', () => {
    expect(() => updateConfigDoc('no markers', 'x')).toThrow(ConfigDocError);
    expect(() => updateConfigDoc(`${CONFIG_DOC_END}${CONFIG_DOC_BEGIN}`, 'x')).toThrow(
      ConfigDocError,
    );
  });
});
