/** Parsers for configuration values: each throws an Error saying what was expected. */

export function int(opts: { min?: number; max?: number } = {}): (raw: string) => number {
  return (raw) => {
    if (!/^-?\d+$/.test(raw)) throw new Error('must be an integer');
    const n = Number(raw);
    if (opts.min !== undefined && n < opts.min) throw new Error(`must be >= ${opts.min}`);
    if (opts.max !== undefined && n > opts.max) throw new Error(`must be <= ${opts.max}`);
    return n;
  };
}

/** A TCP/UDP port; 0 asks the OS for an ephemeral port (tests). */
export const port = int({ min: 0, max: 65535 });

export function bool(raw: string): boolean {
  const v = raw.toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new Error('must be true or false');
}

export function str(raw: string): string {
  return raw;
}

/** An IPv4/IPv6 address or host name (no scheme, no port). */
export function host(raw: string): string {
  if (!/^(\[?[0-9a-fA-F:.]+\]?|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)$/.test(raw)) {
    throw new Error('must be an IP address or a host name');
  }
  return raw.replace(/^\[(.*)\]$/, '$1');
}

/** `host:port`, with IPv6 in brackets: `[::1]:5060`. */
export function hostPort(raw: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:\s]+):(\d{1,5})$/.exec(raw);
  if (!m) throw new Error('must be host:port');
  const p = Number(m[2]);
  if (p < 1 || p > 65535) throw new Error('port must be 1..65535');
  return { host: host(m[1]), port: p };
}

export function list<T = string>(
  item: (raw: string) => T = str as (raw: string) => T,
): (raw: string) => T[] {
  return (raw) =>
    raw
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s.length > 0)
      .map(item);
}

export function oneOf<T extends string>(...values: T[]): (raw: string) => T {
  return (raw) => {
    if (!(values as string[]).includes(raw)) throw new Error(`must be one of ${values.join(', ')}`);
    return raw as T;
  };
}

/** A SIP or SIPS URI, lightly checked (the SIP stack parses it properly). */
export function sipUri(raw: string): string {
  if (!/^sips?:[^\s]+$/i.test(raw)) throw new Error('must be a sip: or sips: URI');
  return raw;
}

/** `name=value` pairs separated by commas, e.g. `a.example=127.0.0.1:4060,b.example=...`. */
export function map<T>(value: (raw: string) => T): (raw: string) => Map<string, T> {
  return (raw) => {
    const out = new Map<string, T>();
    for (const part of list()(raw)) {
      const eq = part.indexOf('=');
      if (eq <= 0) throw new Error(`"${part}" must be name=value`);
      out.set(part.slice(0, eq).trim().toLowerCase(), value(part.slice(eq + 1).trim()));
    }
    return out;
  };
}
