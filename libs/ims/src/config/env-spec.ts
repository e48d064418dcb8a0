import { ConfigError } from './config-error';

/** How one environment variable becomes one typed configuration value. */
export interface VarSpec<T> {
  /** The environment variable, e.g. `HSS_REST_PORT`. */
  env: string;
  /** One line for docs/configuration.md. */
  doc: string;
  /** Value when the variable is unset or empty; a function may derive it from other values. */
  default?: T | ((resolved: Record<string, unknown>) => T);
  /** Parses the raw text; throws an Error whose message says what is wrong. */
  parse: (raw: string) => T;
}

export type ConfigSpec<T> = { [K in keyof T]: VarSpec<T[K]> };

/**
 * Resolves every variable of `spec` from `env` (defaults applied in declaration order, so a
 * default may depend on values declared before it). The first bad or missing variable stops
 * with a ConfigError that names it.
 */
export function loadConfig<T>(
  spec: ConfigSpec<T>,
  env: Record<string, string | undefined> = process.env,
  overrides: Partial<T> = {},
): T {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(spec) as (keyof T & string)[]) {
    const s = spec[key] as VarSpec<unknown>;
    if (key in overrides && (overrides as Record<string, unknown>)[key] !== undefined) {
      out[key] = (overrides as Record<string, unknown>)[key];
      continue;
    }
    const raw = env[s.env];
    if (raw === undefined || raw.trim() === '') {
      if (s.default === undefined) throw new ConfigError(s.env, 'is required');
      out[key] =
        typeof s.default === 'function'
          ? (s.default as (r: Record<string, unknown>) => unknown)(out)
          : s.default;
      continue;
    }
    try {
      out[key] = s.parse(raw.trim());
    } catch (err) {
      throw new ConfigError(s.env, `${(err as Error).message} (got "${raw}")`);
    }
  }
  return out as T;
}

/** Lists the variables of a spec for documentation: [variable, default, description]. */
export function describeConfig<T>(spec: ConfigSpec<T>): [string, string, string][] {
  return (Object.values(spec) as VarSpec<unknown>[]).map((s) => [
    s.env,
    s.default === undefined
      ? '(required)'
      : typeof s.default === 'function'
        ? '(derived)'
        : JSON.stringify(s.default),
    s.doc,
  ]);
}
