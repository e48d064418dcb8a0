/**
 * The S-CSCF's routing decisions (TS 24.229 §5.4.3) on one request at a time: a real
 * RegistrationStore, FailureExplainer and ProxyRequest; the SIP stack and the Cx client are
 * small fakes (what is tested is where the request goes, not the sockets; the e2e suites in
 * test/scscf and test/icscf run the same code between real processes).
 */
import type { Logger } from '@nestjs/common';
import { ServerAssignmentType } from '@lib/diameter';
import {
  FailureExplainer,
  type HssClient,
  type InitialFilterCriteria,
  type ServiceProfile,
} from '@lib/ims';
import {
  createRequest,
  preprocessRouteInformation,
  ProxyRequest,
  SipUri,
  type IncomingContext,
  type ServerTransaction,
  type SipResponse,
  type SipStack,
} from '@lib/sip';
import { loadScscfConfig } from '../config';
import { RegistrationStore } from '../registration/registration-store';
import type { RegistrationRecord } from '../registration/binding';
import { SERVED_USER, SessionRouter } from './session-router';

const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';
const ALICE = `sip:alice@${DOMAIN}`;
const BOB = `sip:bob@${DOMAIN}`;
const AS1 = 'sip:127.0.0.1:5071';
const AS2 = 'sip:127.0.0.1:5072';
const CONTEXT = {
  source: { host: '127.0.0.1', port: 4060, transport: 'UDP' },
} as unknown as IncomingContext;

const config = loadScscfConfig(
  {},
  {
    enumMap: new Map([['+1555', DOMAIN]]),
    asTimeoutMs: 700,
  },
);

function ifc(
  priority: number,
  serverName: string,
  sessionCase: 0 | 1 | 2,
  defaultHandling?: 'session-continued' | 'session-terminated',
): InitialFilterCriteria {
  const cases = ['originating', 'terminating-registered', 'terminating-unregistered'] as const;
  return {
    priority,
    triggerPoint: {
      conditionTypeCnf: true,
      spts: [
        { kind: 'method', method: 'INVITE', groups: [0], conditionNegated: false },
        {
          kind: 'session-case',
          sessionCase: cases[sessionCase],
          groups: [1],
          conditionNegated: false,
        },
      ],
    },
    applicationServer: { serverName, defaultHandling },
  };
}

function profile(impu: string, ifcs: InitialFilterCriteria[] = []): ServiceProfile {
  return { publicIdentities: [{ identity: impu }], initialFilterCriteria: ifcs };
}

function register(store: RegistrationStore, impu: string, ifcs: InitialFilterCriteria[] = []) {
  const sp = profile(impu, ifcs);
  const record: RegistrationRecord = {
    impi: `${impu.slice(4)}`,
    registeredImpu: impu,
    implicitSet: [impu],
    barred: [],
    subscription: { privateId: impu.slice(4), serviceProfiles: [sp] },
    serviceProfile: sp,
    bindings: [1, 2].map((n) => ({
      id: `b${n}`,
      uri: `sip:${n}@127.0.0.1:${5090 + n}`,
      params: new Map(),
      expiresAt: Date.now() + 600_000,
      callId: `c${n}`,
      cseq: 1,
      path: [`<sip:flow${n}@pcscf.${DOMAIN}:5060;lr>`],
      registeredAt: Date.now(),
    })),
  };
  store.commit(record, []);
  return record;
}

interface Harness {
  router: SessionRouter;
  store: RegistrationStore;
  sar: jest.Mock;
}

const stores: RegistrationStore[] = [];
afterAll(() => stores.forEach((s) => s.close()));

function harness(sar: jest.Mock = jest.fn()): Harness {
  const store = new RegistrationStore();
  const stack = {
    port: 6060,
    transportLayer: { sentBy: () => ({ host: '127.0.0.1', port: 6060 }) },
    resolve: (uri: string) => {
      const m = /^sip:([^:]+):(\d+)/.exec(uri)!;
      return { host: m[1], port: Number(m[2]), transport: 'UDP' };
    },
  } as unknown as SipStack;
  const logger = { log: () => undefined, warn: () => undefined } as unknown as Logger;
  const router = new SessionRouter({
    config,
    stack,
    hss: { sar } as unknown as HssClient,
    failures: new FailureExplainer('scscf.test', true),
    store,
    logger,
    isOwnUri: (uri: SipUri) =>
      (uri.host === '127.0.0.1' && uri.port === 6060) ||
      uri.host === `scscf.${DOMAIN}` ||
      uri.host === 'scscf.test',
  });
  stores.push(store);
  return { router, store, sar };
}

/** The request as the proxy core hands it to the processors (own top Route removed). */
function incoming(
  h: Harness,
  opts: { uri: string; route?: string; pai?: string; toTag?: string; method?: string },
): { pr: ProxyRequest; responses: SipResponse[] } {
  const method = opts.method ?? 'INVITE';
  const received = createRequest({
    method,
    uri: opts.uri,
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-1'],
      ['Max-Forwards', '70'],
      ['From', `<${ALICE}>;tag=a1`],
      ['To', `<${opts.uri}>${opts.toTag ? `;tag=${opts.toTag}` : ''}`],
      ['Call-ID', 'call-1'],
      ['CSeq', `1 ${method}`],
      ...(opts.route ? ([['Route', opts.route]] as [string, string][]) : []),
      ...(opts.pai ? ([['P-Asserted-Identity', `<${opts.pai}>`]] as [string, string][]) : []),
    ],
  });
  const responses: SipResponse[] = [];
  const tx = {
    respond: (r: SipResponse) => responses.push(r),
    hasFinalResponse: false,
  } as unknown as ServerTransaction;
  const pr = new ProxyRequest(received.clone(), received, tx, CONTEXT, true);
  preprocessRouteInformation(pr.request, (u) => (h.router as any).deps.isOwnUri(u));
  return { pr, responses };
}

const ORIG = `<sip:orig@scscf.test:6060;lr>`;

describe('S-CSCF session routing (TS 24.229 §5.4.3)', () => {
  describe('originating (§5.4.3.2)', () => {
    const h = harness();
    beforeAll(() => register(h.store, ALICE));

    it('sends a request for a home user to the I-CSCF of its domain (SCSCF_ICSCFS)', async () => {
      const { pr } = incoming(h, { uri: BOB, route: ORIG, pai: ALICE });
      expect(await h.router.process(pr)).toBe('continue');
      expect(pr.targets).toEqual([
        { uri: BOB, nextHop: { host: '127.0.0.1', port: 4060, transport: 'UDP' } },
      ]);
      expect(pr.data.get(SERVED_USER)).toBe(ALICE);
    });

    it('refuses a served user not registered here with 403 and a cause', async () => {
      const { pr, responses } = incoming(h, { uri: BOB, route: ORIG, pai: `sip:eve@${DOMAIN}` });
      expect(await h.router.process(pr)).toBe('stop');
      expect(responses[0].status).toBe(403);
      expect(responses[0].get('Warning')).toContain('served user');
    });

    it('translates a tel URI by ENUM; an unmapped number gets 604', async () => {
      const mapped = incoming(h, { uri: 'tel:+15550002', route: ORIG, pai: ALICE });
      await h.router.process(mapped.pr);
      expect(mapped.pr.targets[0].uri).toBe(`sip:+15550002@${DOMAIN};user=phone`);
      const unmapped = incoming(h, { uri: 'tel:+4930123', route: ORIG, pai: ALICE });
      expect(await h.router.process(unmapped.pr)).toBe('stop');
      expect(unmapped.responses[0].status).toBe(604);
    });

    it('follows the route set of a request inside a dialog, removing every own entry', async () => {
      const { pr } = incoming(h, {
        uri: 'sip:1@127.0.0.1:5091',
        toTag: 'b1',
        method: 'BYE',
        route: '<sip:127.0.0.1:6060;lr>',
      });
      pr.request.append('Route', '<sip:127.0.0.1:6060;lr>');
      pr.request.append('Route', `<sip:pcscf.${DOMAIN}:5060;lr>`);
      expect(await h.router.process(pr)).toBe('continue');
      expect(pr.targets).toEqual([]);
      expect(pr.request.getAll('Route')).toEqual([`<sip:pcscf.${DOMAIN}:5060;lr>`]);
    });
  });

  describe('ISC with original dialog identifiers (§5.4.3.2 step 4)', () => {
    const h = harness();
    beforeAll(() =>
      register(h.store, ALICE, [
        ifc(20, AS2, 0),
        ifc(10, AS1, 0, 'session-continued'),
        ifc(5, 'sip:127.0.0.1:5079', 1), // terminating: not for this request
      ]),
    );

    it('chains the matching iFCs in Priority order through the ODI Route, then routes home', async () => {
      const first = incoming(h, { uri: BOB, route: ORIG, pai: ALICE });
      await h.router.process(first.pr);
      const [toAs1] = first.pr.targets;
      expect(toAs1.routes![0]).toBe(`<${AS1};lr>`);
      const odi = /^<sip:(odi-[0-9a-f]+)@127\.0\.0\.1:6060;lr>$/.exec(toAs1.routes![1])![1];
      expect(toAs1.noAnswer?.timeoutMs).toBe(700);

      // The AS sends it back over the ODI Route: the next iFC (Priority 20).
      const back = incoming(h, { uri: BOB, route: `<sip:${odi}@127.0.0.1:6060;lr>` });
      await h.router.process(back.pr);
      expect(toAs1.noAnswer!.answered!()).toBe(true);
      const [toAs2] = back.pr.targets;
      expect(toAs2.routes![0]).toBe(`<${AS2};lr>`);
      const odi2 = /sip:(odi-[0-9a-f]+)@/.exec(toAs2.routes![1])![1];
      expect(odi2).not.toBe(odi);

      // Back from the last AS: towards the I-CSCF.
      const last = incoming(h, { uri: BOB, route: `<sip:${odi2}@127.0.0.1:6060;lr>` });
      await h.router.process(last.pr);
      expect(last.pr.targets[0].nextHop?.port).toBe(4060);
    });

    it('default handling SESSION_CONTINUED: a silent AS is skipped by the onBranchesFailed hook', async () => {
      const { pr } = incoming(h, { uri: BOB, route: ORIG, pai: ALICE });
      await h.router.process(pr);
      const [toAs1] = pr.targets;
      const hook = pr.branchesFailedHooks[0];
      const timeout = { status: 408 } as SipResponse;
      const next = await hook(timeout, [{ target: toAs1, response: timeout, provisional: false }]);
      expect(next![0].routes![0]).toBe(`<${AS2};lr>`);
      // A request the AS sends back after that is refused (the session went on without it).
      const odi = /sip:(odi-[0-9a-f]+)@/.exec(toAs1.routes![1])![1];
      const late = incoming(h, { uri: BOB, route: `<sip:${odi}@127.0.0.1:6060;lr>` });
      expect(await h.router.process(late.pr)).toBe('stop');
      expect(late.responses[0].status).toBe(480);
    });

    it('an AS error after a provisional response, or after the request came back, goes upstream', async () => {
      const { pr } = incoming(h, { uri: BOB, route: ORIG, pai: ALICE });
      await h.router.process(pr);
      const [toAs1] = pr.targets;
      const hook = pr.branchesFailedHooks[0];
      const error = { status: 503 } as SipResponse;
      expect(await hook(error, [{ target: toAs1, response: error, provisional: true }])).toBe(
        undefined,
      );
      const odi = /sip:(odi-[0-9a-f]+)@/.exec(toAs1.routes![1])![1];
      await h.router.process(incoming(h, { uri: BOB, route: `<sip:${odi}@127.0.0.1:6060;lr>` }).pr);
      expect(await hook(error, [{ target: toAs1, response: error, provisional: false }])).toBe(
        undefined,
      );
    });

    it('default handling SESSION_TERMINATED: 408 upstream with a cause', async () => {
      const h2 = harness();
      register(h2.store, ALICE, [ifc(1, AS1, 0, 'session-terminated')]);
      const { pr, responses } = incoming(h2, { uri: BOB, route: ORIG, pai: ALICE });
      await h2.router.process(pr);
      const timeout = { status: 408 } as SipResponse;
      await pr.branchesFailedHooks[0](timeout, [
        { target: pr.targets[0], response: timeout, provisional: false },
      ]);
      expect(responses[0].status).toBe(408);
      expect(responses[0].get('Warning')).toContain('application server failed');
    });
  });

  describe('terminating (§5.4.3.3)', () => {
    it('forks to every binding with its Path as Route (RFC 3327 §5.3)', async () => {
      const h = harness();
      register(h.store, BOB);
      const { pr } = incoming(h, { uri: BOB, route: `<sip:scscf.test:6060;lr>` });
      expect(await h.router.process(pr)).toBe('continue');
      expect(pr.targets).toEqual([
        { uri: 'sip:1@127.0.0.1:5091', routes: [`<sip:flow1@pcscf.${DOMAIN}:5060;lr>`] },
        { uri: 'sip:2@127.0.0.1:5092', routes: [`<sip:flow2@pcscf.${DOMAIN}:5060;lr>`] },
      ]);
    });

    it('not registered: SAR UNREGISTERED_USER, then 480 when no AS takes it', async () => {
      const sar = jest.fn().mockResolvedValue({
        resultCode: 2001,
        experimental: false,
        userData: `<?xml version="1.0"?><IMSSubscription><PrivateID>bob@${DOMAIN}</PrivateID><ServiceProfile><PublicIdentity><Identity>${BOB}</Identity></PublicIdentity></ServiceProfile></IMSSubscription>`,
      });
      const h = harness(sar);
      const { pr, responses } = incoming(h, { uri: BOB });
      expect(await h.router.process(pr)).toBe('stop');
      expect(sar.mock.calls[0][0]).toMatchObject({
        publicIdentities: [BOB],
        serverAssignmentType: ServerAssignmentType.UNREGISTERED_USER,
      });
      expect(responses[0].status).toBe(480);
      expect(responses[0].get('Warning')).toContain('callee not registered');
    });

    it('unknown to the HSS: 404', async () => {
      const h = harness(jest.fn().mockResolvedValue({ resultCode: 5001, experimental: true }));
      const { pr, responses } = incoming(h, { uri: BOB });
      await h.router.process(pr);
      expect(responses[0].status).toBe(404);
    });

    it('a busy HSS (3004) on SAR UNREGISTERED_USER: 480 with Retry-After', async () => {
      const h = harness(jest.fn().mockResolvedValue({ resultCode: 3004, experimental: false }));
      const { pr, responses } = incoming(h, { uri: BOB });
      expect(await h.router.process(pr)).toBe('stop');
      expect(responses[0].status).toBe(480);
      expect(responses[0].get('Retry-After')).toMatch(/^\d+$/);
      expect(responses[0].get('Warning')).toContain('3004');
    });

    it('leaves a Request-URI outside the home domain to RFC 3261 forwarding', async () => {
      const h = harness();
      const { pr } = incoming(h, { uri: 'sip:carol@example.com' });
      expect(await h.router.process(pr)).toBe('continue');
      expect(pr.targets).toEqual([]);
    });
  });
});
