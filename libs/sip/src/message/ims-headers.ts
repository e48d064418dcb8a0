import { Scanner, unquote } from './grammar';

/**
 * RFC 3455 (P-Associated-URI, P-Called-Party-ID, P-Visited-Network-ID,
 * P-Access-Network-Info, P-Charging-Function-Addresses, P-Charging-Vector; updated by
 * RFC 7315 and TS 24.229 §7.2A) values that are not name-addr lists.
 */

/** `P-Visited-Network-ID: "Visited network"; param` — the value unquoted, plus parameters. */
export interface VisitedNetworkId {
  value: string;
  params: Map<string, string | null>;
}

export function parseVisitedNetworkIds(values: string[]): VisitedNetworkId[] {
  return values.map((v) => {
    const sc = new Scanner(v, 'P-Visited-Network-ID');
    sc.skipWs();
    const value = sc.peek() === 0x22 ? unquote(sc.quotedRaw()) : sc.token('vnetwork-spec');
    const params = sc.params();
    sc.end();
    return { value, params };
  });
}

/** `P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B`. */
export interface AccessNetworkInfo {
  accessType: string;
  params: Map<string, string | null>;
}

export function parseAccessNetworkInfo(values: string[]): AccessNetworkInfo[] {
  return values.map((v) => {
    const sc = new Scanner(v, 'P-Access-Network-Info');
    const accessType = sc.token('access-type');
    const params = sc.params();
    sc.end();
    return { accessType, params };
  });
}

/** A value that is only `name=value` parameters separated by ";" (first one without ";"). */
function parseParamOnly(text: string, header: string): Map<string, string | null> {
  const sc = new Scanner(';' + text, header);
  const params = sc.params();
  sc.end();
  if (params.size === 0) sc.fail('empty value');
  return params;
}

/**
 * `P-Charging-Vector: icid-value=...; icid-generated-at=...; orig-ioi=...; term-ioi=...`
 * (RFC 3455 §5.6). Values as written (quoted ones keep their quotes).
 */
export function parseChargingVector(text: string): Map<string, string | null> {
  const params = parseParamOnly(text, 'P-Charging-Vector');
  if (!params.has('icid-value')) new Scanner(text, 'P-Charging-Vector').fail('missing icid-value');
  return params;
}

/** `P-Charging-Function-Addresses: ccf=192.0.2.10; ecf="aaa://ecf.example.com"` (RFC 3455 §5.5). */
export interface ChargingFunctionAddresses {
  ccf: string[];
  ecf: string[];
  params: Map<string, string | null>;
}

export function parseChargingFunctionAddresses(text: string): ChargingFunctionAddresses {
  const out: ChargingFunctionAddresses = { ccf: [], ecf: [], params: new Map() };
  // ccf / ecf may repeat, so this walks the parameters instead of building a Map.
  const sc = new Scanner(';' + text, 'P-Charging-Function-Addresses');
  while (sc.accept(0x3b)) {
    const name = sc.token('parameter name').toLowerCase();
    const value = sc.accept(0x3d) ? sc.genValue() : null;
    if ((name === 'ccf' || name === 'ecf') && value !== null) out[name].push(unquote(value));
    else out.params.set(name, value);
  }
  sc.end();
  if (out.ccf.length + out.ecf.length + out.params.size === 0) sc.fail('empty value');
  return out;
}
