import { IfcError } from './ifc-error';
import { ifcMatches, IfcRequestView, matchIfcs } from './ifc-match';
import { InitialFilterCriteria, ServicePointTrigger, SptCondition } from './ifc-model';

function request(
  overrides: Partial<IfcRequestView> & { hdrs?: Record<string, string[]> } = {},
): IfcRequestView {
  const hdrs = overrides.hdrs ?? {};
  const lower = Object.fromEntries(Object.entries(hdrs).map(([k, v]) => [k.toLowerCase(), v]));
  return {
    method: 'INVITE',
    requestUri: 'sip:+15551230002@ims.mnc001.mcc001.3gppnetwork.org;user=phone',
    sessionCase: 'originating',
    headers: (name) => lower[name.toLowerCase()] ?? [],
    headerNames: () => Object.keys(hdrs),
    ...overrides,
  };
}

function spt(condition: SptCondition, groups = [0], conditionNegated = false): ServicePointTrigger {
  return { ...condition, groups, conditionNegated };
}

function ifc(
  priority: number,
  spts: ServicePointTrigger[] | undefined,
  cnf = false,
  extra: Partial<InitialFilterCriteria> = {},
): InitialFilterCriteria {
  return {
    priority,
    ...(spts ? { triggerPoint: { conditionTypeCnf: cnf, spts } } : {}),
    applicationServer: { serverName: `sip:as${priority}@example.com` },
    ...extra,
  };
}

const INVITE = spt({ kind: 'method', method: 'INVITE' });
const MESSAGE = spt({ kind: 'method', method: 'MESSAGE' });
const ORIG = spt({ kind: 'session-case', sessionCase: 'originating' });

describe('SPT classes (TS 29.228 Annex B.2.2)', () => {
  it('Method is an exact, case-sensitive match', () => {
    expect(ifcMatches(ifc(0, [INVITE]), request())).toBe(true);
    expect(ifcMatches(ifc(0, [MESSAGE]), request())).toBe(false);
    expect(ifcMatches(ifc(0, [spt({ kind: 'method', method: 'invite' })]), request())).toBe(false);
  });

  it('Method REGISTER honours RegistrationType', () => {
    const reg = {
      ...spt({ kind: 'method', method: 'REGISTER' }),
      registrationTypes: ['initial', 're-registration'],
    } as ServicePointTrigger;
    const r = (registrationType?: 'initial' | 're-registration' | 'de-registration') =>
      request({ method: 'REGISTER', registrationType });
    expect(ifcMatches(ifc(0, [reg]), r('initial'))).toBe(true);
    expect(ifcMatches(ifc(0, [reg]), r('re-registration'))).toBe(true);
    expect(ifcMatches(ifc(0, [reg]), r('de-registration'))).toBe(false);
    expect(ifcMatches(ifc(0, [reg]), r(undefined))).toBe(false);
    const anyReg = spt({ kind: 'method', method: 'REGISTER' });
    expect(ifcMatches(ifc(0, [anyReg]), r('de-registration'))).toBe(true);
  });

  it('RequestURI is a regular expression on the hostport / telephone number', () => {
    const host = spt({
      kind: 'request-uri',
      requestUri: '^ims\\.mnc001\\.mcc001\\.3gppnetwork\\.org$',
    });
    expect(ifcMatches(ifc(0, [host]), request())).toBe(true);
    const user = spt({ kind: 'request-uri', requestUri: '^sip:\\+1555' });
    expect(ifcMatches(ifc(0, [user]), request())).toBe(true);
    const tel = spt({ kind: 'request-uri', requestUri: '^\\+1555123' });
    expect(ifcMatches(ifc(0, [tel]), request({ requestUri: 'tel:+15551230002' }))).toBe(true);
    const other = spt({ kind: 'request-uri', requestUri: 'voicemail' });
    expect(ifcMatches(ifc(0, [other]), request())).toBe(false);
  });

  it('SIPHeader: presence, content regex, case-insensitive names, regex names', () => {
    const hdrs = {
      'Accept-Contact': ['*;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"'],
      Subject: ['hi'],
    };
    const present = spt({ kind: 'sip-header', header: 'accept-contact' });
    const mmtel = spt({ kind: 'sip-header', header: 'Accept-Contact', content: 'icsi\\.mmtel' });
    const video = spt({ kind: 'sip-header', header: 'Accept-Contact', content: 'video' });
    const pattern = spt({ kind: 'sip-header', header: 'Accept-.*', content: 'mmtel' });
    const absent = spt({ kind: 'sip-header', header: 'P-Asserted-Service' });
    expect(ifcMatches(ifc(0, [present]), request({ hdrs }))).toBe(true);
    expect(ifcMatches(ifc(0, [mmtel]), request({ hdrs }))).toBe(true);
    expect(ifcMatches(ifc(0, [video]), request({ hdrs }))).toBe(false);
    expect(ifcMatches(ifc(0, [pattern]), request({ hdrs }))).toBe(true);
    expect(ifcMatches(ifc(0, [absent]), request({ hdrs }))).toBe(false);
  });

  it('SessionCase compares the served session case', () => {
    const term = spt({ kind: 'session-case', sessionCase: 'terminating-registered' });
    expect(ifcMatches(ifc(0, [ORIG]), request())).toBe(true);
    expect(ifcMatches(ifc(0, [term]), request())).toBe(false);
    expect(ifcMatches(ifc(0, [term]), request({ sessionCase: 'terminating-registered' }))).toBe(
      true,
    );
  });

  it('SessionDescription matches the SDP line type and content', () => {
    const sdpLines = [
      'v=0',
      'o=- 1 1 IN IP4 127.0.0.1',
      'm=audio 49170 RTP/AVP 0',
      'm=video 51372 RTP/AVP 99',
    ];
    const video = spt({ kind: 'session-description', line: 'm', content: '^video' });
    const text = spt({ kind: 'session-description', line: 'm', content: '^text' });
    const anyM = spt({ kind: 'session-description', line: 'm' });
    expect(ifcMatches(ifc(0, [video]), request({ sdpLines }))).toBe(true);
    expect(ifcMatches(ifc(0, [text]), request({ sdpLines }))).toBe(false);
    expect(ifcMatches(ifc(0, [anyM]), request({ sdpLines }))).toBe(true);
    expect(ifcMatches(ifc(0, [anyM]), request())).toBe(false);
  });

  it('ConditionNegated inverts an SPT', () => {
    const notMessage = spt({ kind: 'method', method: 'MESSAGE' }, [0], true);
    expect(ifcMatches(ifc(0, [notMessage]), request())).toBe(true);
    expect(ifcMatches(ifc(0, [notMessage]), request({ method: 'MESSAGE' }))).toBe(false);
  });
});

describe('CNF vs DNF (ConditionTypeCNF)', () => {
  // Two groups: group 1 = {INVITE, MESSAGE}, group 2 = {originating}.
  const spts = [
    spt({ kind: 'method', method: 'INVITE' }, [1]),
    spt({ kind: 'method', method: 'MESSAGE' }, [1]),
    spt({ kind: 'session-case', sessionCase: 'originating' }, [2]),
  ];
  const cases: [string, Partial<IfcRequestView>, boolean, boolean][] = [
    // request, CNF result = (INVITE ∨ MESSAGE) ∧ orig, DNF result = (INVITE ∧ MESSAGE) ∨ orig
    ['orig INVITE', {}, true, true],
    ['orig MESSAGE', { method: 'MESSAGE' }, true, true],
    ['orig OPTIONS', { method: 'OPTIONS' }, false, true],
    ['term INVITE', { sessionCase: 'terminating-registered' }, false, false],
  ];
  it.each(cases)('%s', (_name, req, cnf, dnf) => {
    expect(ifcMatches(ifc(0, spts, true), request(req))).toBe(cnf);
    expect(ifcMatches(ifc(0, spts, false), request(req))).toBe(dnf);
  });

  it('an SPT in several groups counts in each (TS 29.228 Annex B example)', () => {
    // DNF: (INVITE ∧ orig) ∨ (INVITE ∧ term-registered), INVITE in both groups
    const tp = [
      spt({ kind: 'method', method: 'INVITE' }, [1, 2]),
      spt({ kind: 'session-case', sessionCase: 'originating' }, [1]),
      spt({ kind: 'session-case', sessionCase: 'terminating-registered' }, [2]),
    ];
    expect(ifcMatches(ifc(0, tp), request())).toBe(true);
    expect(ifcMatches(ifc(0, tp), request({ sessionCase: 'terminating-registered' }))).toBe(true);
    expect(ifcMatches(ifc(0, tp), request({ sessionCase: 'terminating-unregistered' }))).toBe(
      false,
    );
    expect(ifcMatches(ifc(0, tp), request({ method: 'BYE' }))).toBe(false);
  });

  it('the shared example: (INVITE ∧ SessionCase 0) in DNF', () => {
    const tp = [INVITE, ORIG];
    expect(ifcMatches(ifc(0, tp), request())).toBe(true);
    expect(ifcMatches(ifc(0, tp), request({ method: 'MESSAGE' }))).toBe(false);
    expect(ifcMatches(ifc(0, tp), request({ sessionCase: 'terminating-registered' }))).toBe(false);
  });
});

describe('matchIfcs', () => {
  it('returns the matching iFCs sorted by Priority', () => {
    const profile = {
      initialFilterCriteria: [
        ifc(20, [INVITE]),
        ifc(5, [ORIG]),
        ifc(10, [MESSAGE]),
        ifc(1, undefined),
      ],
    };
    expect(matchIfcs(profile, request()).map((i) => i.priority)).toEqual([1, 5, 20]);
    expect(
      matchIfcs(profile, request({ method: 'MESSAGE', sessionCase: 'terminating-registered' })).map(
        (i) => i.priority,
      ),
    ).toEqual([1, 10]);
  });

  it('honours ProfilePartIndicator against the registration state', () => {
    const profile = {
      initialFilterCriteria: [
        ifc(1, [INVITE], false, { profilePartIndicator: 'registered' }),
        ifc(2, [INVITE], false, { profilePartIndicator: 'unregistered' }),
        ifc(3, [INVITE]),
      ],
    };
    expect(matchIfcs(profile, request()).map((i) => i.priority)).toEqual([1, 3]);
    expect(
      matchIfcs(profile, request({ sessionCase: 'terminating-unregistered' })).map(
        (i) => i.priority,
      ),
    ).toEqual([2, 3]);
    expect(matchIfcs(profile, request({ registered: false })).map((i) => i.priority)).toEqual([
      2, 3,
    ]);
  });

  it('raises a typed error naming the iFC for an invalid regular expression', () => {
    const bad = ifc(7, [spt({ kind: 'request-uri', requestUri: '([' })]);
    expect(() => matchIfcs({ initialFilterCriteria: [bad] }, request())).toThrow(IfcError);
    expect(() => matchIfcs({ initialFilterCriteria: [bad] }, request())).toThrow(/Priority 7/);
  });

  it('does not reorder the profile it was given', () => {
    const list = [ifc(2, undefined), ifc(1, undefined)];
    matchIfcs({ initialFilterCriteria: list }, request());
    expect(list.map((i) => i.priority)).toEqual([2, 1]);
  });
});
