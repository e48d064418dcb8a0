import type { SipResponse } from '../transport/message-api';

/** 4xx responses RFC 3261 §16.7 step 6 prefers: they let the UAC retry successfully. */
const PREFERRED_4XX = [401, 407, 415, 420, 484];

/**
 * Choosing the best response, RFC 3261 §16.7 step 6: "A proxy MUST choose [...] if there are
 * any 6xx responses, [the proxy] MUST choose from the 6xx responses [...]; otherwise, the
 * proxy SHOULD choose from the lowest response class stored in the response context. The
 * proxy MAY select any response within that chosen class. The proxy SHOULD give preference
 * to responses that provide information affecting resubmission of this request, such as
 * 401, 407, 415, 420, and 484 if the 4xx class is chosen."
 */
export function selectBestResponse(responses: SipResponse[]): SipResponse | undefined {
  const finals = responses.filter((r) => r.status >= 300);
  if (finals.length === 0) return undefined;
  const sixes = finals.filter((r) => r.status >= 600);
  if (sixes.length > 0) return sixes[0];
  const lowestClass = Math.min(...finals.map((r) => Math.floor(r.status / 100)));
  const inClass = finals.filter((r) => Math.floor(r.status / 100) === lowestClass);
  if (lowestClass === 4) {
    for (const code of PREFERRED_4XX) {
      const hit = inClass.find((r) => r.status === code);
      if (hit) return hit;
    }
  }
  return inClass[0];
}

/**
 * RFC 3261 §16.7 step 7: "If the selected response is a 401 (Unauthorized) or 407 (Proxy
 * Authentication Required), the proxy MUST collect any WWW-Authenticate and
 * Proxy-Authenticate header field values from all other 401 (Unauthorized) and 407 (Proxy
 * Authentication Required) responses received so far in this response context and add them
 * to this response without modification". Returns a new response (the input is untouched).
 */
export function aggregateChallenges(selected: SipResponse, all: SipResponse[]): SipResponse {
  if (selected.status !== 401 && selected.status !== 407) return selected;
  const out = selected.clone();
  for (const other of all) {
    if (other === selected || (other.status !== 401 && other.status !== 407)) continue;
    for (const v of other.getAll('WWW-Authenticate')) out.append('WWW-Authenticate', v);
    for (const v of other.getAll('Proxy-Authenticate')) out.append('Proxy-Authenticate', v);
  }
  return out;
}
