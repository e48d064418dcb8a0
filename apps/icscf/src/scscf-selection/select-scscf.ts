import { uriEquals } from '@lib/sip';
import type { ServerCapabilities } from '@lib/diameter';
import type { ConfiguredScscf } from './scscf-set';

/**
 * S-CSCF selection on a UAA with DIAMETER_FIRST_REGISTRATION (TS 29.228 §6.1.1, Annex A;
 * TS 23.228 §5.2.2.3 "the I-CSCF ... select[s] an S-CSCF based on the capabilities"):
 * keep the configured S-CSCFs that offer every mandatory capability, then prefer the one
 * that offers most optional capabilities; among equals, one the HSS named in the
 * Server-Capabilities' Server-Name AVPs, then configuration order. `exclude` drops the
 * S-CSCFs already tried (TS 24.229 §5.3.1.3: "select a new S-CSCF").
 *
 * Returns the candidates best first (empty: no suitable S-CSCF).
 */
export function selectScscfs(
  configured: ConfiguredScscf[],
  capabilities: ServerCapabilities | undefined,
  exclude: string[] = [],
): ConfiguredScscf[] {
  const mandatory = capabilities?.mandatory ?? [];
  const optional = capabilities?.optional ?? [];
  const named = capabilities?.serverNames ?? [];
  return configured
    .map((scscf, order) => ({
      scscf,
      order,
      optionalScore: optional.filter((c) => scscf.capabilities.includes(c)).length,
      namedByHss: named.some((n) => sameServer(n, scscf.uri)),
    }))
    .filter((c) => mandatory.every((m) => c.scscf.capabilities.includes(m)))
    .filter((c) => !exclude.some((e) => sameServer(e, c.scscf.uri)))
    .sort(
      (a, b) =>
        b.optionalScore - a.optionalScore ||
        Number(b.namedByHss) - Number(a.namedByHss) ||
        a.order - b.order,
    )
    .map((c) => c.scscf);
}

/** Two Server-Names name the same S-CSCF (RFC 3261 §19.1.4 URI comparison, else text). */
export function sameServer(a: string, b: string): boolean {
  try {
    return uriEquals(a, b);
  } catch {
    return a.toLowerCase() === b.toLowerCase();
  }
}
