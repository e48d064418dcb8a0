/**
 * The S-CSCFs this I-CSCF may select, with their capabilities (TS 29.228 Annex A: "the
 * capabilities ... are identified by integers whose meaning is defined by the operator").
 * `ICSCF_SCSCFS` lists them as `uri|cap1;cap2`, comma separated, e.g.
 * `sip:scscf.ims.example:6060|1;2,sip:scscf2.ims.example:6060`.
 */
export interface ConfiguredScscf {
  /** The S-CSCF's SIP URI, its Server-Name on Cx (TS 29.228 §6.1.1). */
  uri: string;
  /** The capabilities it offers. */
  capabilities: number[];
}

/** Parses `ICSCF_SCSCFS`; throws an Error saying what is wrong. */
export function parseScscfSet(raw: string): ConfiguredScscf[] {
  const out: ConfiguredScscf[] = [];
  for (const part of raw.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const [uri, caps = '', ...extra] = entry.split('|').map((s) => s.trim());
    if (extra.length > 0) throw new Error(`"${entry}" must be uri|cap1;cap2`);
    if (!/^sips?:[^\s|;,]+[^\s|,]*$/i.test(uri)) throw new Error(`"${uri}" must be a sip: URI`);
    const capabilities: number[] = [];
    for (const c of caps.split(';').map((s) => s.trim())) {
      if (c === '') continue;
      if (!/^\d{1,10}$/.test(c) || Number(c) > 0xffffffff) {
        throw new Error(`capability "${c}" of ${uri} must be an Unsigned32`);
      }
      capabilities.push(Number(c));
    }
    out.push({ uri, capabilities });
  }
  if (out.length === 0) throw new Error('must list at least one S-CSCF');
  return out;
}
