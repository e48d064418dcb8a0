/**
 * The command line of `npm run ims-test`, checked up front: every mistake is reported with
 * the option it concerns before any packet leaves.
 */
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import type { TransportProtocol } from '@lib/sip';
import { DEFAULT_IMS_DOMAIN } from '../cscf-config';
import type { SuiteName } from './conformance-types';

export const IMS_TEST_USAGE = `Usage: npm run ims-test -- --pcscf HOST:PORT (--provision URL | --subscribers FILE) [options]

Runs the IMS registration and call test suite against the core behind a P-CSCF.

Target
  --pcscf HOST:PORT        the P-CSCF of the core under test (port 5060 when omitted)
  --transport udp|tcp      SIP transport towards the P-CSCF (default udp)
  --domain DOMAIN          home network domain (default: from the subscribers file,
                           else ${DEFAULT_IMS_DOMAIN})
  --local-host IP          address the simulated UEs bind and advertise (default: the
                           local address that routes to the P-CSCF)
Subscribers (exactly one)
  --provision URL          our HSS's REST API (e.g. http://127.0.0.1:8080): the suite creates
                           its own subscribers there and removes them afterwards
  --token TOKEN            bearer token for REST writes (HSS_API_TOKEN), with --provision
  --subscribers FILE       JSON file of identities and keys of a core provisioned otherwise
Selection and output
  --suite registration|calls|all   which cases (default all)
  --case ID[,ID...]        only these cases; a trailing * matches a prefix (reg.*)
  --list                   print the case catalogue and exit
  --junit FILE             write JUnit XML
  --html FILE              write a self-contained HTML report with ladder diagrams
Timing
  --t1 MS                  RFC 3261 T1 of the UEs (default 500)
  --case-timeout S         upper bound per case (default 60)
  --max-expiry-wait S      longest Min-Expires the expiry case waits out (default 120)
  -h, --help               this text

Exit code: 0 when every selected case passed, 1 when one did not, 2 for a usage error.`;

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export interface ImsTestOptions {
  help: boolean;
  list: boolean;
  pcscf: { host: string; port: number };
  transport: TransportProtocol;
  /** Undefined: decided from the subscribers file or the default. */
  domain?: string;
  localHost?: string;
  source: { kind: 'provision'; url: string; token?: string } | { kind: 'file'; path: string };
  suites: SuiteName[];
  cases: string[];
  junit?: string;
  html?: string;
  t1Ms: number;
  caseTimeoutMs: number;
  maxExpiryWaitS: number;
}

export function parseImsTestArgs(argv: string[]): ImsTestOptions {
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        pcscf: { type: 'string' },
        transport: { type: 'string' },
        domain: { type: 'string' },
        'local-host': { type: 'string' },
        provision: { type: 'string' },
        token: { type: 'string' },
        subscribers: { type: 'string' },
        suite: { type: 'string' },
        case: { type: 'string' },
        list: { type: 'boolean' },
        junit: { type: 'string' },
        html: { type: 'string' },
        t1: { type: 'string' },
        'case-timeout': { type: 'string' },
        'max-expiry-wait': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const str = (name: string) => values[name] as string | undefined;
  const help = values.help === true;
  const list = values.list === true;
  const suites = parseSuite(str('suite'));
  const cases = (str('case') ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const base = {
    help,
    list,
    suites,
    cases,
    t1Ms: positiveInt('--t1', str('t1'), 500, 10, 10000),
    caseTimeoutMs: positiveInt('--case-timeout', str('case-timeout'), 60, 5, 3600) * 1000,
    maxExpiryWaitS: positiveInt('--max-expiry-wait', str('max-expiry-wait'), 120, 1, 3600),
  };
  const placeholder = {
    pcscf: { host: '', port: 0 },
    transport: 'UDP' as TransportProtocol,
    source: { kind: 'file' as const, path: '' },
  };
  if (help || list) return { ...base, ...placeholder };

  const pcscfText = str('pcscf');
  if (!pcscfText)
    throw new UsageError('--pcscf HOST:PORT is required (the P-CSCF of the core under test)');
  const pcscf = parseHostPort(pcscfText);

  const transportText = (str('transport') ?? 'udp').toLowerCase();
  if (transportText !== 'udp' && transportText !== 'tcp') {
    throw new UsageError(`--transport must be udp or tcp (got "${str('transport')}")`);
  }

  const provision = str('provision');
  const file = str('subscribers');
  if (provision && file) throw new UsageError('give either --provision or --subscribers, not both');
  if (!provision && !file) {
    throw new UsageError(
      'subscribers needed: --provision http://HSS:8080 (our HSS creates them) or --subscribers FILE',
    );
  }
  if (str('token') !== undefined && !provision)
    throw new UsageError('--token goes with --provision');
  let source: ImsTestOptions['source'];
  if (provision) {
    let url: URL;
    try {
      url = new URL(provision);
    } catch {
      throw new UsageError(
        `--provision must be an http(s) URL such as http://127.0.0.1:8080 (got "${provision}")`,
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new UsageError(`--provision must be an http(s) URL (got "${provision}")`);
    }
    source = { kind: 'provision', url: provision.replace(/\/+$/, ''), token: str('token') };
  } else {
    source = { kind: 'file', path: file! };
  }

  const domain = str('domain');
  if (
    domain !== undefined &&
    !/^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(
      domain,
    )
  ) {
    throw new UsageError(`--domain must be a domain name (got "${domain}")`);
  }
  const localHost = str('local-host');
  if (localHost !== undefined && !isIP(localHost)) {
    throw new UsageError(`--local-host must be an IP address (got "${localHost}")`);
  }
  for (const [opt, path] of [
    ['--junit', str('junit')],
    ['--html', str('html')],
  ] as const) {
    if (path !== undefined && path.trim() === '') throw new UsageError(`${opt} needs a file name`);
  }
  return {
    ...base,
    pcscf,
    transport: transportText.toUpperCase() as TransportProtocol,
    domain,
    localHost,
    source,
    junit: str('junit'),
    html: str('html'),
  };
}

function parseSuite(text: string | undefined): SuiteName[] {
  switch (text ?? 'all') {
    case 'all':
      return ['registration', 'calls'];
    case 'registration':
      return ['registration'];
    case 'calls':
      return ['calls'];
    default:
      throw new UsageError(`--suite must be registration, calls or all (got "${text}")`);
  }
}

/** `host:port`, `[v6]:port`, or a bare host (port 5060, RFC 3261 §19.1.2). */
export function parseHostPort(text: string): { host: string; port: number } {
  const m =
    /^\[([0-9A-Fa-f:.]+)\](?::(\d+))?$/.exec(text) ?? /^([^:[\]\s]+)(?::(\d+))?$/.exec(text);
  if (!m) throw new UsageError(`--pcscf must be HOST:PORT, e.g. 127.0.0.1:5060 (got "${text}")`);
  const port = m[2] === undefined ? 5060 : Number(m[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`--pcscf port must be 1..65535 (got "${m[2]}")`);
  }
  return { host: m[1], port };
}

function positiveInt(
  opt: string,
  text: string | undefined,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text) || Number(text) < min || Number(text) > max) {
    throw new UsageError(`${opt} must be a whole number ${min}..${max} (got "${text}")`);
  }
  return Number(text);
}
