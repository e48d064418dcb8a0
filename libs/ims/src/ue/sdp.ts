/**
 * A minimal SDP (RFC 4566) offer/answer (RFC 3264) for the UE simulator: one audio stream,
 * PCMU (static payload type 0, RFC 3551 §6), at the UE's own address. Enough for the core to
 * carry a session description end to end; no media is sent.
 */

/** One m= line and what the UE needs of its attributes. */
export interface SdpMedia {
  type: string;
  port: number;
  proto: string;
  formats: string[];
  /** RFC 3264 §5.1 direction attribute; sendrecv when absent. */
  direction: 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';
  /** c= address of the media, or of the session when the media has none. */
  address?: string;
}

export interface SdpSession {
  /** o= sess-id and sess-version (RFC 4566 §5.2). */
  sessionId: string;
  version: number;
  /** Session-level c= address. */
  address?: string;
  media: SdpMedia[];
}

export interface SdpOfferOptions {
  /** The UE's address (IPv4 or IPv6 literal) for o= and c=. */
  address: string;
  /** RTP port announced (default 49170, the RFC 3264 examples' port). */
  port?: number;
  /** o= sess-id (default: random digits) and sess-version (default 1). */
  sessionId?: string;
  version?: number;
}

const DIRECTIONS = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function addrType(address: string): string {
  return address.includes(':') ? 'IP6' : 'IP4';
}

/** An offer: one audio m= line with PCMU, sendrecv. */
export function createSdpOffer(opts: SdpOfferOptions): string {
  const id = opts.sessionId ?? String(Math.floor(Math.random() * 1e9));
  const version = opts.version ?? 1;
  const at = `IN ${addrType(opts.address)} ${opts.address}`;
  return [
    'v=0',
    `o=- ${id} ${version} ${at}`,
    's=-',
    `c=${at}`,
    't=0 0',
    `m=audio ${opts.port ?? 49170} RTP/AVP 0`,
    'a=rtpmap:0 PCMU/8000',
    'a=ptime:20',
    'a=sendrecv',
    '',
  ].join('\r\n');
}

/**
 * Parses the parts of an SDP body the UE uses; throws an Error naming the line when the
 * body is not SDP (no v=0, a malformed o= or m= line).
 */
export function parseSdp(text: string): SdpSession {
  const lines = text.split(/\r?\n/).filter((l) => l.length > 0);
  if (lines[0] !== 'v=0') throw new Error('SDP: the first line must be "v=0" (RFC 4566 §5)');
  let session: SdpSession | undefined;
  let current: SdpMedia | undefined;
  let sessionDirection: SdpMedia['direction'] = 'sendrecv';
  for (const line of lines.slice(1)) {
    const type = line[0];
    const value = line.slice(2);
    if (line[1] !== '=') throw new Error(`SDP: malformed line "${line}"`);
    if (type === 'o') {
      const f = value.split(' ');
      if (f.length !== 6 || !/^\d+$/.test(f[2])) throw new Error(`SDP: malformed o= "${line}"`);
      session = { sessionId: f[1], version: Number(f[2]), media: [] };
    } else if (type === 'c') {
      const address = value.split(' ')[2]?.split('/')[0];
      if (current) current.address = address;
      else if (session) session.address = address;
    } else if (type === 'm') {
      const f = value.split(' ');
      if (f.length < 4 || !/^\d+(\/\d+)?$/.test(f[1]))
        throw new Error(`SDP: malformed m= "${line}"`);
      if (!session) throw new Error('SDP: m= before o=');
      current = {
        type: f[0],
        port: Number(f[1].split('/')[0]),
        proto: f[2],
        formats: f.slice(3),
        direction: sessionDirection,
        address: session.address,
      };
      session.media.push(current);
    } else if (type === 'a' && DIRECTIONS.has(value)) {
      if (current) current.direction = value as SdpMedia['direction'];
      else sessionDirection = value as SdpMedia['direction'];
    }
  }
  if (!session) throw new Error('SDP: no o= line (RFC 4566 §5.2)');
  return session;
}

const ANSWER_DIRECTION: Record<SdpMedia['direction'], SdpMedia['direction']> = {
  sendrecv: 'sendrecv',
  sendonly: 'recvonly',
  recvonly: 'sendonly',
  inactive: 'inactive',
};

/**
 * The answer to `offer`, RFC 3264 §6: "The answer MUST contain exactly the same number of
 * "m=" lines as the offer"; an audio stream offering PCMU (0) is accepted with PCMU and the
 * mirrored direction (§6.1), any other stream is rejected with port 0 (§6: "a stream is
 * rejected by setting the port to zero").
 */
export function createSdpAnswer(offer: string, opts: SdpOfferOptions): string {
  const parsed = parseSdp(offer);
  const id = opts.sessionId ?? String(Math.floor(Math.random() * 1e9));
  const at = `IN ${addrType(opts.address)} ${opts.address}`;
  const lines = ['v=0', `o=- ${id} ${opts.version ?? 1} ${at}`, 's=-', `c=${at}`, 't=0 0'];
  for (const m of parsed.media) {
    const accept = m.type === 'audio' && m.port !== 0 && m.formats.includes('0');
    if (accept) {
      lines.push(
        `m=audio ${opts.port ?? 49170} ${m.proto} 0`,
        'a=rtpmap:0 PCMU/8000',
        'a=ptime:20',
        `a=${ANSWER_DIRECTION[m.direction]}`,
      );
    } else {
      lines.push(`m=${m.type} 0 ${m.proto} ${m.formats[0] ?? '0'}`);
    }
  }
  lines.push('');
  return lines.join('\r\n');
}
