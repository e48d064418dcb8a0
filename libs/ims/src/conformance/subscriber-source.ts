/**
 * Where the suite's subscribers come from:
 * - `--provision http://HSS:8080`: the suite creates fresh subscribers through our HSS's REST
 *   API (the one-call `POST /subscribers` of DESIGN.md) for each case, and deletes them when
 *   the case ends;
 * - `--subscribers FILE`: identities and keys of a core provisioned some other way, reused
 *   case after case (each case de-registers what it registered).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { SubscriberKind, SubscriberUnavailableError, SuiteSubscriber } from './conformance-types';

export interface SubscriberSource {
  /** One line for the banner: where the subscribers come from. */
  readonly description: string;
  /** A subscriber for the current case; the n-th call of a case gives the n-th subscriber. */
  acquire(kind: SubscriberKind): Promise<SuiteSubscriber>;
  /** The case ended (its UEs are de-registered): forget or remove its subscribers. */
  endCase(): Promise<void>;
  /** The run ended. */
  close(): Promise<void>;
}

/** A subscribers file that cannot be used: says which entry and field. */
export class SubscribersFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SubscribersFileError';
  }
}

const HEX32 = /^[0-9a-fA-F]{32}$/;

/**
 * Reads and validates a subscribers file: JSON, either an array of entries or
 * `{ "subscribers": [...] }`. Each entry has `impi`, `impu`, optionally `impus` (the implicit
 * registration set, checked against P-Associated-URI), and either AKA keys (`k` and `op` or
 * `opc`, 32 hex digits each) or a SIP Digest `password`.
 */
export function parseSubscribersFile(text: string, name = 'subscribers file'): SuiteSubscriber[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new SubscribersFileError(`${name}: not valid JSON (${(err as Error).message})`);
  }
  const list = Array.isArray(data)
    ? data
    : data &&
        typeof data === 'object' &&
        Array.isArray((data as { subscribers?: unknown }).subscribers)
      ? (data as { subscribers: unknown[] }).subscribers
      : undefined;
  if (!list) {
    throw new SubscribersFileError(`${name}: expected an array or {"subscribers": [...]}`);
  }
  if (list.length === 0) throw new SubscribersFileError(`${name}: no subscribers`);
  return list.map((raw, i) => {
    const where = `${name}: entry ${i + 1}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
      throw new SubscribersFileError(`${where}: expected an object`);
    }
    const e = raw as Record<string, unknown>;
    const known = new Set(['impi', 'impu', 'impus', 'k', 'op', 'opc', 'password']);
    for (const key of Object.keys(e)) {
      if (!known.has(key)) throw new SubscribersFileError(`${where}: unknown field "${key}"`);
    }
    const str = (field: string): string | undefined => {
      const v = e[field];
      if (v === undefined) return undefined;
      if (typeof v !== 'string' || v.trim() === '') {
        throw new SubscribersFileError(`${where}: ${field} must be a non-empty string`);
      }
      return v.trim();
    };
    const impi = str('impi');
    const impu = str('impu');
    if (!impi) throw new SubscribersFileError(`${where}: impi is required`);
    if (!impu || !/^(sips?|tel):/i.test(impu)) {
      throw new SubscribersFileError(`${where}: impu must be a sip:, sips: or tel: URI`);
    }
    const sub: SuiteSubscriber = { impi, impu };
    if (e.impus !== undefined) {
      if (!Array.isArray(e.impus) || e.impus.some((u) => typeof u !== 'string')) {
        throw new SubscribersFileError(`${where}: impus must be an array of URIs`);
      }
      sub.impus = e.impus as string[];
    }
    for (const field of ['k', 'op', 'opc'] as const) {
      const v = str(field);
      if (v === undefined) continue;
      if (!HEX32.test(v))
        throw new SubscribersFileError(`${where}: ${field} must be 32 hex digits`);
      sub[field] = v.toLowerCase();
    }
    sub.password = str('password');
    const aka = sub.k !== undefined || sub.op !== undefined || sub.opc !== undefined;
    if (aka && (sub.k === undefined || (sub.op === undefined) === (sub.opc === undefined))) {
      throw new SubscribersFileError(`${where}: AKA needs k and exactly one of op, opc`);
    }
    if (!aka && sub.password === undefined) {
      throw new SubscribersFileError(`${where}: needs AKA keys (k with op or opc) or a password`);
    }
    return sub;
  });
}

export function kindOf(sub: SuiteSubscriber): SubscriberKind {
  return sub.k !== undefined ? 'aka' : 'md5';
}

/** Subscribers from a file: the n-th request of a case gets the n-th entry of that kind. */
export class FileSubscriberSource implements SubscriberSource {
  readonly description: string;
  private used: Record<SubscriberKind, number> = { aka: 0, md5: 0 };

  constructor(
    private readonly subscribers: SuiteSubscriber[],
    file: string,
  ) {
    const aka = subscribers.filter((s) => kindOf(s) === 'aka').length;
    this.description = `${file} (${aka} AKA, ${subscribers.length - aka} SIP Digest)`;
  }

  /** The home domain of the first IMPI (TS 23.003 §13.3: the part after "@"). */
  get domain(): string | undefined {
    const impi = this.subscribers[0]?.impi ?? '';
    return impi.includes('@') ? impi.slice(impi.lastIndexOf('@') + 1) : undefined;
  }

  static load(file: string): FileSubscriberSource {
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (err) {
      throw new SubscribersFileError(`cannot read ${file}: ${(err as Error).message}`);
    }
    return new FileSubscriberSource(parseSubscribersFile(text, file), file);
  }

  acquire(kind: SubscriberKind): Promise<SuiteSubscriber> {
    const ofKind = this.subscribers.filter((s) => kindOf(s) === kind);
    const n = this.used[kind]++;
    if (n >= ofKind.length) {
      const what = kind === 'aka' ? 'AKA' : 'SIP Digest (password)';
      return Promise.reject(
        new SubscriberUnavailableError(
          `this case needs ${n + 1} ${what} subscriber(s); the subscribers file has ${ofKind.length}`,
        ),
      );
    }
    return Promise.resolve(ofKind[n]);
  }

  endCase(): Promise<void> {
    this.used = { aka: 0, md5: 0 };
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The HSS answered a provisioning request with an error. */
export class ProvisioningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProvisioningError';
  }
}

/**
 * Fresh subscribers per case through our HSS's REST API: random test IMSIs (MCC 001, MNC 01,
 * TS 23.003 §2.2), random K and OPc, SIP Digest ones with a random password. Removed with
 * `DELETE /subscribers/:imsi` when the case ends.
 */
export class ProvisioningSubscriberSource implements SubscriberSource {
  readonly description: string;
  private readonly created: string[] = [];

  constructor(
    private readonly baseUrl: string,
    private readonly token?: string,
  ) {
    this.description = `provisioned through ${baseUrl} (removed afterwards)`;
  }

  async acquire(kind: SubscriberKind): Promise<SuiteSubscriber> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const imsi = `001019${randomDigits(9)}`;
      const msisdn = `1999${randomDigits(7)}`;
      const k = randomBytes(16).toString('hex');
      const opc = randomBytes(16).toString('hex');
      const password = kind === 'md5' ? randomBytes(9).toString('base64url') : undefined;
      const body: Record<string, unknown> = { imsi, msisdn, k, opc };
      if (password) Object.assign(body, { authScheme: 'SIP Digest', password });
      const res = await this.request('POST', '/subscribers', body);
      if (res.status === 409) continue; // the IMSI exists already: draw another
      if (res.status !== 201 && res.status !== 200) {
        throw new ProvisioningError(
          `POST /subscribers -> ${res.status}: ${res.text.slice(0, 300)}`,
        );
      }
      this.created.push(imsi);
      const view = JSON.parse(res.text) as { impi: string; impus: { impu: string }[] };
      const impus = view.impus.map((i) => i.impu);
      const sub: SuiteSubscriber = { impi: view.impi, impu: impus[0], impus };
      return kind === 'md5' ? { ...sub, password } : { ...sub, k, opc };
    }
    throw new ProvisioningError('POST /subscribers: five random IMSIs in a row already existed');
  }

  async endCase(): Promise<void> {
    while (this.created.length) {
      const imsi = this.created.shift()!;
      const res = await this.request('DELETE', `/subscribers/${imsi}`).catch(() => undefined);
      if (res && res.status >= 300 && res.status !== 404) {
        throw new ProvisioningError(`DELETE /subscribers/${imsi} -> ${res.status}: ${res.text}`);
      }
    }
  }

  close(): Promise<void> {
    return this.endCase();
  }

  /** Checks up front that the HSS answers, so a wrong URL fails before any case runs. */
  async probe(): Promise<void> {
    let res: { status: number; text: string };
    try {
      res = await this.request('GET', '/subscribers?limit=1');
    } catch (err) {
      throw new ProvisioningError(
        `cannot reach the HSS at ${this.baseUrl}: ${(err as Error).message}`,
      );
    }
    if (res.status !== 200) {
      throw new ProvisioningError(
        `GET ${this.baseUrl}/subscribers -> ${res.status}: ${res.text.slice(0, 200)}`,
      );
    }
  }

  private async request(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; text: string }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    const res = await fetch(this.baseUrl.replace(/\/+$/, '') + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10000),
    });
    return { status: res.status, text: await res.text() };
  }
}

function randomDigits(n: number): string {
  return [...randomBytes(n)].map((b) => String(b % 10)).join('');
}
