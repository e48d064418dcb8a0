/**
 * The launcher's settings: the lab contract defaults, per-role port variables that rewire the
 * other roles, explicit cross-references that win, and bad values refused by name.
 */
import * as path from 'node:path';
import {
  DEFAULT_DOMAIN,
  demoSippCsv,
  LabConfigError,
  labSettings,
  roleEnv,
  scscfUri,
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
    });
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
