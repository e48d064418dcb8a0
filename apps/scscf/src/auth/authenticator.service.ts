/**
 * Authentication of REGISTER at the S-CSCF, TS 24.229 §5.4.1.2 and TS 33.203 §6.1:
 * a REGISTER without a usable response is challenged with a vector fetched by MAR (401
 * WWW-Authenticate: IMS AKA per RFC 3310 / RFC 4169 with `ik`/`ck` for the P-CSCF, or SIP
 * Digest per RFC 2617 with the HA1 from the HSS); the next REGISTER's response is checked
 * against XRES / HA1, with nonce lifetime (`stale=true`), nonce-count replay protection and
 * SQN re-synchronisation when the UE sends `auts` (RFC 3310 §3.4, TS 33.203 §6.3.3).
 */
import { randomBytes } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { MultimediaAuthAnswer, ServerAssignmentType } from '@lib/diameter';
import {
  decodeAkaNonce,
  decodeAutsParam,
  FailureCause,
  FailureExplainer,
  HssClient,
  HssUnavailableError,
} from '@lib/ims';
import {
  DigestChallenge,
  DigestCredentials,
  formatChallenge,
  generateTag,
  parseCredentials,
  ServerTransaction,
  SipRequest,
  SipUri,
  parseUri,
} from '@lib/sip';
import { SCSCF_CONFIG, ScscfConfig } from '../config';
import { cxFailureCause, cxResultText } from '../cx/cx-failure';
import { HSS_CLIENT } from '../cx/hss-client.provider';
import { RegistrationStore } from '../registration/registration-store';
import { FAILURES } from '../sip/failure-explainer.provider';
import { marScheme, sipAlgorithm } from './auth-scheme';
import { AuthThrottle } from './auth-throttle';
import { verifyResponse } from './digest-verifier';
import { IssuedChallenge, NonceStore } from './nonce-store';

export type AuthOutcome =
  | { kind: 'authenticated'; impi: string; challenge: IssuedChallenge }
  /** A final response (401, 403, 480, 500) has been sent. */
  | { kind: 'answered' };

interface ChallengeOptions {
  stale?: boolean;
  /** Why the UE is challenged again (Warning of the 401). */
  cause?: FailureCause;
}

@Injectable()
export class Authenticator {
  private readonly logger = new Logger('Authenticator');
  /** Repeated wrong responses per IMPI (SCSCF_AUTH_MAX_FAILURES...). */
  readonly throttle: AuthThrottle;

  constructor(
    @Inject(SCSCF_CONFIG) private readonly config: ScscfConfig,
    @Inject(HSS_CLIENT) private readonly hss: HssClient,
    @Inject(FAILURES) private readonly failures: FailureExplainer,
    private readonly nonces: NonceStore,
    private readonly store: RegistrationStore,
  ) {
    this.throttle = new AuthThrottle({
      maxFailures: config.authMaxFailures,
      windowMs: config.authFailureWindow * 1000,
      backoffMs: config.authBackoff * 1000,
      maxEntries: config.authThrottleEntries,
    });
  }

  async authenticate(req: SipRequest, tx: ServerTransaction, impu: string): Promise<AuthOutcome> {
    let creds: DigestCredentials | undefined;
    try {
      creds = this.credentialsOf(req);
    } catch (err) {
      return this.reject(req, tx, FailureCause.BadCredentials, (err as Error).message, 400);
    }
    const impi = creds?.username ?? impiFromImpu(impu);
    if (!impi) {
      return this.reject(req, tx, FailureCause.BadCredentials, `no IMPI for ${impu}`);
    }
    // Too many wrong responses lately: refused before any MAR (auth-throttle.ts). 403 as for
    // a failed authentication (TS 24.229 §5.4.1.2.3), not 503: the S-CSCF is not overloaded,
    // and a 503 would be turned into 500 by the proxies upstream (RFC 3261 §16.7 step 6).
    const blockedMs = this.throttle.blockedFor(impi);
    if (blockedMs > 0) {
      return this.reject(
        req,
        tx,
        FailureCause.AuthenticationThrottled,
        `${impi}: ${Math.ceil(blockedMs / 1000)} s left`,
      );
    }
    if (creds?.auts !== undefined) return this.resynchronise(req, tx, creds, impi, impu);
    if (!creds || creds.response === '' || creds.nonce === '') {
      return this.challenge(
        req,
        tx,
        impi,
        impu,
        marScheme(creds?.algorithm, this.config.defaultAuthScheme),
      );
    }
    const found = this.nonces.lookup(creds.nonce);
    // A nonce we do not know (forgotten, restarted S-CSCF): challenge afresh.
    if (found.kind === 'unknown') {
      return this.challenge(
        req,
        tx,
        impi,
        impu,
        marScheme(creds.algorithm, this.config.defaultAuthScheme),
      );
    }
    const entry = found.entry;
    if (entry.impi.toLowerCase() !== impi.toLowerCase()) {
      return this.reject(req, tx, FailureCause.BadCredentials, `nonce was issued to ${entry.impi}`);
    }
    if (found.kind === 'stale') {
      this.nonces.forget(entry.nonce);
      return this.challenge(req, tx, impi, impu, entry.cxScheme, {
        stale: true,
        cause: FailureCause.StaleNonce,
      });
    }
    if (!verifyResponse(entry, creds, req.method)) {
      this.nonces.forget(entry.nonce);
      this.logger.log(`wrong response from ${impi} for ${impu}`);
      if (this.throttle.failed(impi)) {
        this.logger.warn(
          `${impi}: ${this.config.authMaxFailures} failed authentications, refused for ${this.config.authBackoff} s`,
        );
      }
      if (!this.store.find(impu)) this.reportAuthenticationFailure(impi, impu);
      return this.reject(req, tx, FailureCause.WrongResponse, impi);
    }
    if (!this.nonces.acceptNonceCount(entry, creds.nc)) {
      return this.challenge(req, tx, impi, impu, entry.cxScheme, {
        cause: FailureCause.NonceReplayed,
      });
    }
    this.throttle.succeeded(impi);
    return { kind: 'authenticated', impi, challenge: entry };
  }

  /** The Digest credentials for our realm (TS 24.229 §5.4.1.2.1: Authorization of the home realm). */
  private credentialsOf(req: SipRequest): DigestCredentials | undefined {
    // Each Authorization header field holds one credentials value (commas belong to it).
    const values = req.headers.fieldsOf('Authorization').map((f) => f.value);
    let first: DigestCredentials | undefined;
    for (const v of values) {
      const c = parseCredentials(v);
      if (c.realm.toLowerCase() === this.config.domain.toLowerCase()) return c;
      first ??= c;
    }
    return first;
  }

  /**
   * RFC 3310 §3.4 / TS 33.203 §6.3.3: the UE found the SQN out of range and sent AUTS; the
   * HSS re-synchronises on MAR with SIP-Authorization = RAND || AUTS, then a fresh vector.
   */
  private async resynchronise(
    req: SipRequest,
    tx: ServerTransaction,
    creds: DigestCredentials,
    impi: string,
    impu: string,
  ): Promise<AuthOutcome> {
    let rand: Buffer;
    let auts: Buffer;
    const found = this.nonces.lookup(creds.nonce);
    try {
      auts = decodeAutsParam(creds.auts!);
      rand =
        found.kind !== 'unknown' && found.entry.rand
          ? found.entry.rand
          : decodeAkaNonce(creds.nonce).rand;
    } catch (err) {
      return this.reject(req, tx, FailureCause.BadCredentials, (err as Error).message);
    }
    const scheme =
      found.kind !== 'unknown'
        ? found.entry.cxScheme
        : marScheme(creds.algorithm, this.config.defaultAuthScheme);
    this.nonces.forget(creds.nonce);
    return this.challenge(req, tx, impi, impu, scheme, {
      cause: FailureCause.SqnResyncNeeded,
      resync: Buffer.concat([rand, auts]),
    });
  }

  /** MAR, then 401 with the new challenge (or the failure the MAA reports). */
  private async challenge(
    req: SipRequest,
    tx: ServerTransaction,
    impi: string,
    impu: string,
    scheme: string,
    opts: ChallengeOptions & { resync?: Buffer } = {},
  ): Promise<AuthOutcome> {
    let maa: MultimediaAuthAnswer;
    try {
      maa = await this.hss.mar({
        userName: impi,
        publicIdentity: impu,
        serverName: this.config.name,
        numberAuthItems: 1,
        authDataItem: { scheme, authorization: opts.resync },
      });
    } catch (err) {
      return this.hssFailure(req, tx, err);
    }
    const cause = cxFailureCause(maa);
    if (cause === FailureCause.HssUnreachable) {
      return this.unavailable(req, tx, `MAA ${cxResultText(maa)} (HSS busy)`);
    }
    if (cause) return this.reject(req, tx, cause, `MAA ${cxResultText(maa)} for ${impi}`);
    const item = maa.items[0];
    const alg = item && sipAlgorithm(item.scheme);
    if (!item || !alg) {
      return this.reject(
        req,
        tx,
        FailureCause.HssError,
        `MAA without a usable SIP-Auth-Data-Item`,
        500,
      );
    }
    const realm = this.config.domain;
    let challenge: DigestChallenge;
    let issued: IssuedChallenge;
    if (alg.family === 'aka') {
      if (!item.authenticate || item.authenticate.length < 32 || !item.authorization) {
        return this.reject(
          req,
          tx,
          FailureCause.HssError,
          'MAA AKA item lacks RAND||AUTN or XRES',
          500,
        );
      }
      // RFC 3310 §3.2: nonce = base64(RAND || AUTN); TS 24.229 §5.4.1.2.1: ck, ik for the P-CSCF.
      const nonce = item.authenticate.toString('base64');
      issued = this.nonces.issue({
        nonce,
        impi,
        impu,
        cxScheme: item.scheme,
        algorithm: alg.algorithm,
        family: 'aka',
        realm,
        qop: 'auth',
        rand: Buffer.from(item.authenticate.subarray(0, 16)),
        xres: item.authorization,
        ck: item.confidentialityKey,
        ik: item.integrityKey,
      });
      const extra: Record<string, string> = {};
      if (item.integrityKey) extra.ik = item.integrityKey.toString('hex');
      if (item.confidentialityKey) extra.ck = item.confidentialityKey.toString('hex');
      challenge = { realm, nonce, algorithm: alg.algorithm, qop: ['auth'], extra };
    } else {
      if (!item.digest?.ha1) {
        return this.reject(req, tx, FailureCause.HssError, 'MAA SIP Digest item lacks HA1', 500);
      }
      const nonce = randomBytes(24).toString('base64');
      const qop = item.digest.qop ?? 'auth';
      issued = this.nonces.issue({
        nonce,
        impi,
        impu,
        cxScheme: item.scheme,
        algorithm: alg.algorithm,
        family: 'digest',
        realm: item.digest.realm || realm,
        qop,
        ha1: item.digest.ha1,
      });
      challenge = { realm: issued.realm, nonce, algorithm: alg.algorithm, qop: [qop] };
    }
    if (opts.stale) challenge.stale = true;
    const response = this.failures.reject(req, opts.cause ?? FailureCause.BadCredentials, {
      status: 401,
      toTag: generateTag(),
    });
    if (!opts.cause) response.remove('Warning');
    response.append('WWW-Authenticate', formatChallenge(challenge));
    tx.respond(response);
    return { kind: 'answered' };
  }

  /**
   * TS 24.229 §5.4.1.2.3 / TS 29.228 §6.1.2: an unregistered user failed authentication, SAR
   * AUTHENTICATION_FAILURE lets the HSS clear the S-CSCF name it stored at MAR.
   */
  private reportAuthenticationFailure(impi: string, impu: string): void {
    this.hss
      .sar({
        userName: impi,
        publicIdentities: [impu],
        serverName: this.config.name,
        serverAssignmentType: ServerAssignmentType.AUTHENTICATION_FAILURE,
        userDataAlreadyAvailable: 0,
      })
      .catch((err: unknown) =>
        this.logger.warn(`SAR AUTHENTICATION_FAILURE for ${impu}: ${(err as Error).message}`),
      );
  }

  private hssFailure(req: SipRequest, tx: ServerTransaction, err: unknown): AuthOutcome {
    if (err instanceof HssUnavailableError) return this.unavailable(req, tx, err.message);
    this.logger.error(`MAR failed: ${(err as Error).stack}`);
    return this.reject(req, tx, FailureCause.HssError, (err as Error).message, 500);
  }

  /** The HSS cannot be used now: 480 with Retry-After (TS 24.229 §5.4.1.2). */
  private unavailable(req: SipRequest, tx: ServerTransaction, detail: string): AuthOutcome {
    const res = this.failures.reject(req, FailureCause.HssUnreachable, {
      detail,
      reason: true,
      toTag: generateTag(),
    });
    res.set('Retry-After', String(this.config.retryAfter));
    tx.respond(res);
    return { kind: 'answered' };
  }

  private reject(
    req: SipRequest,
    tx: ServerTransaction,
    cause: FailureCause,
    detail?: string,
    status?: number,
  ): AuthOutcome {
    tx.respond(this.failures.reject(req, cause, { detail, status, toTag: generateTag() }));
    return { kind: 'answered' };
  }
}

/**
 * TS 24.229 §5.4.1.2.1: without an Authorization header the private identity is derived
 * from the public one (TS 33.203 §6.1, "derived ... by removing the URI scheme").
 */
export function impiFromImpu(impu: string): string | undefined {
  try {
    const u = parseUri(impu);
    if (u instanceof SipUri && u.user) return `${u.user}@${u.host}`;
  } catch {
    return undefined;
  }
  return undefined;
}
