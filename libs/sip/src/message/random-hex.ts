import { randomFillSync } from 'node:crypto';

/** Octets drawn from the CSPRNG at a time; handed out in slices until used up. */
const POOL_SIZE = 4096;
const pool = Buffer.alloc(POOL_SIZE);
let used = POOL_SIZE;

/**
 * `octets` cryptographically random octets as lower-case hex. The octets come from a pool
 * refilled from the operating system's CSPRNG (`randomFillSync`) 4 KB at a time, so a branch
 * or a tag costs a slice instead of a call into OpenSSL each; every octet is handed out once.
 */
export function randomHex(octets: number): string {
  if (octets > POOL_SIZE) return randomFillSync(Buffer.alloc(octets)).toString('hex');
  if (used + octets > POOL_SIZE) {
    randomFillSync(pool);
    used = 0;
  }
  const out = pool.toString('hex', used, used + octets);
  used += octets;
  return out;
}
