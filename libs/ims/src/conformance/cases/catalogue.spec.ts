import * as fs from 'node:fs';
import * as path from 'node:path';
import { CATALOGUE, selectCases } from './index';

describe('case catalogue', () => {
  it('has unique ids, each case citing at least one clause', () => {
    expect(new Set(CATALOGUE.map((c) => c.id)).size).toBe(CATALOGUE.length);
    for (const c of CATALOGUE) {
      expect(c.clauses.length).toBeGreaterThan(0);
      for (const clause of c.clauses)
        expect(clause).toMatch(/^(TS \d\d\.\d{3}|RFC \d{4}) §[0-9A-Z.]+$/);
    }
  });

  it('is documented in docs/ims-test.md, case by case', () => {
    const doc = fs.readFileSync(path.join(__dirname, '../../../../../docs/ims-test.md'), 'utf8');
    for (const c of CATALOGUE)
      expect(doc).toMatch(new RegExp(`^\\| \`${c.id.replace('.', '\\.')}\` +\\|`, 'm'));
  });

  it('selects by suite, id and prefix, and refuses an unknown id', () => {
    expect(selectCases(['registration']).length).toBe(
      CATALOGUE.filter((c) => c.suite === 'registration').length,
    );
    expect(selectCases(['registration'], ['reg.aka', 'reg.p*']).map((c) => c.id)).toEqual([
      'reg.aka',
      'reg.path',
    ]);
    expect(() => selectCases(['registration'], ['reg.nope'])).toThrow(/no such case/);
  });
});
