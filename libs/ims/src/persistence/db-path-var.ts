import type { VarSpec } from '../config';

/** The CSCFs that keep their registrations in an SQLite file. */
export type PersistentCscfPrefix = 'PCSCF' | 'SCSCF';

/**
 * `<PREFIX>_DB_PATH`: the SQLite file (WAL mode) where a P- or S-CSCF keeps its registrations
 * so that a restarted process still knows them (issue 9, docs/reliability.md "Crashes").
 * Default `./data/<role>.sqlite`, beside the HSS's `./data/hss.sqlite` (DESIGN.md: `npm start`
 * keeps its data under ./data); `off` or `:memory:` keeps them in memory only.
 */
export function cscfDbPathVar(prefix: PersistentCscfPrefix): VarSpec<string> {
  const role = prefix.toLowerCase();
  return {
    env: `${prefix}_DB_PATH`,
    doc: 'SQLite file (WAL) of the registrations, restored at start (off, :memory:: not kept)',
    default: `./data/${role}.sqlite`,
    parse: (raw) => {
      const v = raw.trim();
      if (v === '') throw new Error('must be a file path, off or :memory:');
      return v;
    },
  };
}
