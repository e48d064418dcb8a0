/**
 * The launcher's settings: the lab contract defaults, per-role port variables that rewire the
 * other roles, explicit cross-references that win, and bad values refused by name.
 */
import * as path from 'node:path';
import {
  DEFAULT_DOMAIN,
  DEFAULT_DOMAIN_B,
  demoSippCallCommands,
  demoSippCsv,
  LabConfigError,
  labSettings,
  roleEnv,
  scscfUri,
  secondDomainSettings,
} from '../../scripts/lab';
import { DEMO_SUBSCRIBERS } from '../../apps/hss/src/seed/demo-subscribers';

describe('lab settings (scripts/lab.ts)', () => {
  it('defaults to the ports of DESIGN.md and ./data', () => {
    const s = labSettings({}, '/repo');
    expect(s).toEqual({
      domain: DEFAULT_DOMAIN,
      host: '127.0.0.1',
      dataDir: path.resolve('/repo', 'data'),
      ports: { hssRest: 8080, hssDiameter: 3868, scscf: 6060, icscf: 4060, pcscf: 5060 },
      enumPrefixes: ['+1555'],
      peers: [],
    });
    expect(secondDomainSettings(s, {})).toBeUndefined();
  });

  it('routes the own domain through its I-CSCF and the demo E.164 range to it (S-CSCF)', () => {
    const s = labSettings({}, '/repo');
    expect(roleEnv('scscf', s, {})).toMatchObject({
      SCSCF_ICSCFS: `${DEFAULT_DOMAIN}=127.0.0.1:4060`,
      SCSCF_ENUM: `+1555=${DEFAULT_DOMAIN}`,
    });
    expect(roleEnv('scscf', s, {}).IMS_HOSTS).toBeUndefined();
  });

  it('adds a second home domain with LAB_DOMAIN_B: shifted ports, both domains routed', () => {
    const env = { LAB_DOMAIN_B: 'true', LAB_DATA_DIR: '/tmp/x' };
    const a = labSettings(env, '/repo');
    const b = secondDomainSettings(a, env)!;
    expect(b).toMatchObject({
      domain: DEFAULT_DOMAIN_B,
      dataDir: '/tmp/x/domain-b',
      ports: { hssRest: 8081, hssDiameter: 3869, scscf: 6070, icscf: 4070, pcscf: 5070 },
      enumPrefixes: ['+1556'],
    });
    const homes = `${DEFAULT_DOMAIN}=127.0.0.1:4060,${DEFAULT_DOMAIN_B}=127.0.0.1:4070`;
    expect(roleEnv('scscf', a, env)).toMatchObject({
      SCSCF_ICSCFS: homes,
      SCSCF_ENUM: `+1555=${DEFAULT_DOMAIN},+1556=${DEFAULT_DOMAIN_B}`,
    });
    expect(roleEnv('scscf', b, {})).toMatchObject({
      IMS_DOMAIN: DEFAULT_DOMAIN_B,
      SCSCF_SIP_PORT: '6070',
      SCSCF_HSS: '127.0.0.1:3869',
      SCSCF_NAME: `sip:scscf.${DEFAULT_DOMAIN_B}:6070`,
      SCSCF_ICSCFS: `${DEFAULT_DOMAIN_B}=127.0.0.1:4070,${DEFAULT_DOMAIN}=127.0.0.1:4060`,
      SCSCF_ENUM: `+1556=${DEFAULT_DOMAIN_B},+1555=${DEFAULT_DOMAIN}`,
    });
    expect(roleEnv('pcscf', b, {}).PCSCF_ICSCF).toBe(`${DEFAULT_DOMAIN_B}=127.0.0.1:4070`);
    expect(roleEnv('hss', b, {}).HSS_DB_PATH).toBe('/tmp/x/domain-b/hss.sqlite');
    // Each side resolves the other's element names; an explicit IMS_HOSTS entry still wins.
    expect(roleEnv('scscf', a, env).IMS_HOSTS).toContain(`scscf.${DEFAULT_DOMAIN_B}=127.0.0.1`);
    expect(roleEnv('pcscf', b, {}).IMS_HOSTS).toContain(`pcscf.${DEFAULT_DOMAIN}=127.0.0.1`);
    const explicit = roleEnv('scscf', a, {
      ...env,
      IMS_HOSTS: `scscf.${DEFAULT_DOMAIN_B}=127.0.0.2`,
    });
    expect(explicit.IMS_HOSTS!.endsWith(`scscf.${DEFAULT_DOMAIN_B}=127.0.0.2`)).toBe(true);
  });

  it.each([
    ['ims.example.org', 'ims.example.org'],
    ['1', DEFAULT_DOMAIN_B],
    ['false', undefined],
  ])('reads LAB_DOMAIN_B=%s', (value, domain) => {
    const env = { LAB_DOMAIN_B: value };
    expect(secondDomainSettings(labSettings(env, '/repo'), env)?.domain).toBe(domain);
  });

  it.each([
    ['not a domain!', /^LAB_DOMAIN_B must be true, false or a domain name/],
    [DEFAULT_DOMAIN, /^LAB_DOMAIN_B must differ from IMS_DOMAIN/],
  ])('refuses LAB_DOMAIN_B=%s by name', (value, message) => {
    expect(() => labSettings({ LAB_DOMAIN_B: value }, '/repo')).toThrow(message);
  });

  it('refuses a second domain whose shifted port would exceed 65535', () => {
    expect(() => labSettings({ LAB_DOMAIN_B: 'true', PCSCF_SIP_PORT: '65530' })).toThrow(
      /^PCSCF_SIP_PORT \+ 10/,
    );
  });

  it('gives a SIPp call between the first two demo subscribers, callee first', () => {
    const cmds = demoSippCallCommands(labSettings({}, '/repo'), '/repo');
    expect(cmds).toHaveLength(4);
    expect(cmds[0]).toMatch(
      /^sipp -sf test\/sipp\/call-register\.xml -inf \S+sipp-demo-ue-2\.csv /,
    );
    expect(cmds[1]).toContain(`-key callee ${DEMO_SUBSCRIBERS[1].imsi} -p 5092`);
    expect(cmds[3]).toContain(`-key route '<sip:orig@scscf.${DEFAULT_DOMAIN}:6060;lr>' -p 5091`);
    for (const c of cmds) expect(c.endsWith(' 127.0.0.1:5060')).toBe(true);
  });

  it('derives every cross-reference from the port variables', () => {
    const env = { HSS_DIAMETER_PORT: '13868', SCSCF_SIP_PORT: '16060', ICSCF_SIP_PORT: '14060' };
    const s = labSettings({ ...env, LAB_DATA_DIR: '/tmp/x' }, '/repo');
    expect(scscfUri(s)).toBe(`sip:scscf.${DEFAULT_DOMAIN}:16060`);
    expect(roleEnv('hss', s, env)).toMatchObject({
      HSS_DIAMETER_PORT: '13868',
      HSS_DB_PATH: '/tmp/x/hss.sqlite',
      HSS_SEED_DEMO: 'true',
      HSS_SCSCF_NAMES: `sip:scscf.${DEFAULT_DOMAIN}:16060`,
    });
    expect(roleEnv('scscf', s, env)).toMatchObject({
      SCSCF_HSS: '127.0.0.1:13868',
      SCSCF_NAME: `sip:scscf.${DEFAULT_DOMAIN}:16060`,
    });
    expect(roleEnv('icscf', s, env)).toMatchObject({
      ICSCF_HSS: '127.0.0.1:13868',
      ICSCF_SCSCFS: `sip:scscf.${DEFAULT_DOMAIN}:16060`,
    });
    expect(roleEnv('pcscf', s, env)).toMatchObject({
      PCSCF_ICSCF: `${DEFAULT_DOMAIN}=127.0.0.1:14060`,
    });
  });

  it('lets an explicitly set cross-reference win over the derived one', () => {
    const env = { ICSCF_SCSCFS: 'sip:scscf.other.example:7070', HSS_SEED_DEMO: 'false' };
    const s = labSettings(env, '/repo');
    expect(roleEnv('icscf', s, env).ICSCF_SCSCFS).toBe('sip:scscf.other.example:7070');
    expect(roleEnv('hss', s, env).HSS_SEED_DEMO).toBe('false');
  });

  it.each(['abc', '0', '70000', '-1'])('refuses PCSCF_SIP_PORT=%s by name', (v) => {
    expect(() => labSettings({ PCSCF_SIP_PORT: v })).toThrow(LabConfigError);
    expect(() => labSettings({ PCSCF_SIP_PORT: v })).toThrow(/^PCSCF_SIP_PORT must be a port/);
  });

  it('writes one SIPp injection line per demo subscriber, credentials whole in field 2', () => {
    const lines = demoSippCsv('ims.example').trimEnd().split('\n');
    expect(lines[0]).toBe('SEQUENTIAL');
    expect(lines).toHaveLength(DEMO_SUBSCRIBERS.length + 1);
    const d = DEMO_SUBSCRIBERS[0];
    expect(lines[1].split(';')).toEqual([
      d.imsi,
      'ims.example',
      `[authentication username=${d.imsi}@ims.example aka_K=${d.kText} aka_OP=${d.opText} aka_AMF=0x${d.amf}]`,
      '',
    ]);
  });
});
