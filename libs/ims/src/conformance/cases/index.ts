import type { ConformanceCase } from '../case-context';
import type { SuiteName } from '../conformance-types';
import { callCases } from './call-cases';
import { registrationCases } from './registration-cases';

export * from './registration-cases';
export * from './call-cases';

/** Every case, in the order the suite runs them. */
export const CATALOGUE: readonly ConformanceCase[] = [...registrationCases, ...callCases];

/**
 * The cases of the given suites, optionally narrowed to ids or id prefixes ending in `*`
 * (`reg.aka`, `reg.*`). Throws when a filter matches no case, so a typo is not a green run.
 */
export function selectCases(suites: SuiteName[], filters: string[] = []): ConformanceCase[] {
  const inSuites = CATALOGUE.filter((c) => suites.includes(c.suite));
  if (filters.length === 0) return inSuites;
  for (const f of filters) {
    if (!CATALOGUE.some((c) => matches(c.id, f))) {
      throw new Error(`--case ${f}: no such case (try --list)`);
    }
  }
  return inSuites.filter((c) => filters.some((f) => matches(c.id, f)));
}

function matches(id: string, filter: string): boolean {
  return filter.endsWith('*') ? id.startsWith(filter.slice(0, -1)) : id === filter;
}
