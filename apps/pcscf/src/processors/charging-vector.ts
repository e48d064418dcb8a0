import { formatHost, randomHex } from '@lib/sip';

/**
 * A new P-Charging-Vector (RFC 3455 §5.6, TS 24.229 §7.2A.5): the P-CSCF, first IMS element on
 * the path, generates the IMS Charging Identity: `icid-value` globally unique (128 random bits
 * from the CSPRNG pool of `randomHex`, not one OpenSSL call per request), with
 * `icid-generated-at` naming the element that made it.
 */
export function newChargingVector(generatedAt: string): string {
  return `icid-value=${randomHex(16)};icid-generated-at=${formatHost(generatedAt)}`;
}
