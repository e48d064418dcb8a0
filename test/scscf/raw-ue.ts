/**
 * A hand-driven UE for the cases the UeSimulator does not let a test shape: REGISTERs with a
 * chosen Path, re-sent credentials (nonce-count replay), explicit CSeq / Call-ID. Real SIP
 * stack on loopback UDP; AKA computed with the libs/ims UE side.
 */
import { randomBytes } from 'node:crypto';
import { computeAkaDigestResponse, decodeAkaNonce, ueProcessChallenge } from '@lib/ims';
import {
  createRequest,
  DigestChallenge,
  formatCredentials,
  generateTag,
  parseChallenge,
  SipRequest,
  SipResponse,
  SipStack,
} from '@lib/sip';
import { DOMAIN, impiOf, impuOf, TEST_SET_1 } from './hss-support';

export class RawUe {
  readonly callId = `${randomBytes(6).toString('hex')}@raw`;
  private readonly fromTag = generateTag();
  cseq = 0;
  private challenge?: DigestChallenge;
  private res?: Buffer;
  private readonly cnonce = randomBytes(6).toString('hex');

  private constructor(
    readonly stack: SipStack,
    readonly scscfPort: number,
    readonly imsi: string,
  ) {}

  static async start(scscfPort: number, imsi: string): Promise<RawUe> {
    const stack = new SipStack({
      host: '127.0.0.1',
      port: 0,
      transports: ['UDP'],
      timers: { T1: 100 },
    });
    await stack.start();
    return new RawUe(stack, scscfPort, imsi);
  }

  get contactUri(): string {
    return `sip:${this.imsi}@127.0.0.1:${this.stack.port}`;
  }

  register(
    opts: {
      authorization?: string;
      path?: string;
      expires?: number;
      cseq?: number;
      contactParams?: string;
    } = {},
  ): SipRequest {
    const headers: [string, string][] = [
      ['Max-Forwards', '70'],
      ['From', `<${impuOf(this.imsi)}>;tag=${this.fromTag}`],
      ['To', `<${impuOf(this.imsi)}>`],
      ['Call-ID', this.callId],
      ['CSeq', `${opts.cseq ?? ++this.cseq} REGISTER`],
      [
        'Contact',
        `<${this.contactUri}>${opts.contactParams ? `;${opts.contactParams}` : ''};expires=${opts.expires ?? 3600}`,
      ],
    ];
    if (opts.path) headers.push(['Path', opts.path], ['Require', 'path'], ['Supported', 'path']);
    headers.push([
      'Authorization',
      opts.authorization ??
        formatCredentials({
          username: impiOf(this.imsi),
          realm: DOMAIN,
          nonce: '',
          uri: `sip:${DOMAIN}`,
          response: '',
        }),
    ]);
    return createRequest({ method: 'REGISTER', uri: `sip:${DOMAIN}`, headers });
  }

  send(req: SipRequest): Promise<SipResponse> {
    return this.stack.request(req, {
      destination: { host: '127.0.0.1', port: this.scscfPort, transport: 'UDP' },
    });
  }

  /** Credentials answering the last AKA challenge with nonce-count `nc`. */
  answer(nc: number): string {
    const c = this.challenge!;
    const common = {
      username: impiOf(this.imsi),
      realm: c.realm,
      method: 'REGISTER',
      uri: `sip:${DOMAIN}`,
      nonce: c.nonce,
      qop: 'auth' as const,
      nc,
      cnonce: this.cnonce,
    };
    return formatCredentials({
      username: common.username,
      realm: c.realm,
      nonce: c.nonce,
      uri: common.uri,
      algorithm: c.algorithm,
      qop: 'auth',
      nc: nc.toString(16).padStart(8, '0'),
      cnonce: this.cnonce,
      response: computeAkaDigestResponse({ ...common, algorithm: c.algorithm!, res: this.res! }),
    });
  }

  /** Runs the USIM on the AKA challenge of a 401 (TS 33.102 §6.3.3) and keeps RES for answer(). */
  accept(challengeResponse: SipResponse): DigestChallenge {
    if (challengeResponse.status !== 401) {
      throw new Error(`expected 401, got ${challengeResponse.status}`);
    }
    this.challenge = parseChallenge(challengeResponse.get('WWW-Authenticate')!);
    const { rand, autn } = decodeAkaNonce(this.challenge.nonce);
    const usim = ueProcessChallenge({ k: TEST_SET_1.k, opc: TEST_SET_1.opc, rand, autn });
    if (usim.kind !== 'ok') throw new Error(`USIM refused the challenge: ${usim.kind}`);
    this.res = usim.res;
    return this.challenge;
  }

  /** REGISTER, 401, REGISTER with the AKA response: the final response and the credentials used. */
  async registerAka(
    opts: { path?: string; expires?: number; contactParams?: string } = {},
  ): Promise<{
    challengeResponse: SipResponse;
    ok: SipResponse;
    authorization: string;
  }> {
    const challengeResponse = await this.send(this.register(opts));
    this.accept(challengeResponse);
    const authorization = this.answer(1);
    const ok = await this.send(this.register({ ...opts, authorization }));
    return { challengeResponse, ok, authorization };
  }

  async close(): Promise<void> {
    await this.stack.stop();
  }
}
