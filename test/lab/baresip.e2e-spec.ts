/**
 * An outside judge for docs/getting-started.md §5: baresip (Debian `baresip-core`), a softphone
 * we did not write, registers with SIP Digest (MD5) through the P-CSCF, is reachable there (an
 * OPTIONS from a UE simulator crosses P, S, I, S, P and baresip answers it), and de-registers
 * when it quits. baresip is bound to 127.0.0.1 (`-n`): no traffic leaves loopback. Skips with
 * a message only when baresip is absent; .ci/run installs it.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { provision, registeredUe, subscriberOf } from '../calls/call-support';
import { eventually } from '../calls/wire';
import { DOMAIN, Lab } from '../support/lab';

const haveBaresip = spawnSync('baresip', ['-h'], { stdio: 'ignore' }).error === undefined;
const describeIf = haveBaresip ? describe : describe.skip;
if (!haveBaresip) console.warn('baresip not installed (Debian baresip-core): baresip e2e skipped');

const IMSI = '001010000000177';
const IMPI = `${IMSI}@${DOMAIN}`;
const IMPU = `sip:${IMSI}@${DOMAIN}`;
const PASSWORD = 'ims-lab-baresip';

describeIf('baresip (a third-party softphone) against the core, SIP Digest', () => {
  let lab: Lab;
  let dir: string;
  let baresip: ChildProcess | undefined;
  let output = '';

  beforeAll(async () => {
    lab = await Lab.start();
    await lab.waitForCxPeers(2);
    const res = await lab.rest('POST', '/subscribers', {
      imsi: IMSI,
      msisdn: '15550177',
      authScheme: 'SIP Digest',
      password: PASSWORD,
    });
    expect(res.status).toBe(201);
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'baresip-'));
    // The account line of docs/getting-started.md §5, with the lab's P-CSCF port.
    fs.writeFileSync(
      path.join(dir, 'accounts'),
      `<${IMPU}>;auth_user=${IMPI};auth_pass=${PASSWORD};outbound="sip:127.0.0.1:${lab.ports.pcscf}";regint=600\n`,
    );
    fs.writeFileSync(
      path.join(dir, 'config'),
      [
        'sip_listen 127.0.0.1:0',
        'module_path /usr/lib/baresip/modules',
        'module_app account.so',
        'module g711.so',
        '',
      ].join('\n'),
    );
  }, 120000);

  afterAll(async () => {
    if (baresip && baresip.exitCode === null) {
      const exited = new Promise((r) => baresip!.once('exit', r));
      baresip.kill('SIGKILL');
      await exited;
    }
    await lab?.stop();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const registrationState = async () =>
    (
      await lab.rest<{ registrationState: string }>(
        'GET',
        `/public-identities/${encodeURIComponent(IMPU)}`,
      )
    ).body.registrationState;

  it('registers (401 then 200 with Service-Route), answers an OPTIONS routed through the core, de-registers on quit', async () => {
    // -t: baresip quits by itself (bounded); -s: SIP trace on stdout; -n: bind 127.0.0.1 only.
    baresip = spawn('baresip', ['-f', dir, '-n', '127.0.0.1', '-t', '12', '-s'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    baresip.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    baresip.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<number | null>((r) => baresip!.once('exit', (c) => r(c)));

    await eventually(
      async () => (await registrationState()) === 'REGISTERED',
      'baresip registered',
    );

    // A UE of the lab sends OPTIONS to baresip's IMPU: P, S, I (LIR), S, then the P-CSCF
    // over baresip's flow; baresip itself answers 200 with its capabilities.
    const s = subscriberOf(lab);
    await provision(lab, s);
    const ue = await registeredUe(lab, s);
    try {
      const res = await ue.sendOptions(IMPU);
      expect(res.status).toBe(200);
      expect(res.get('Allow') ?? '').toContain('INVITE');
    } finally {
      await ue.close();
    }

    // On quit (-t) baresip sends REGISTER with expires=0: the HSS sees it de-registered.
    expect(await exited).toBe(0);
    // baresip's own SIP trace (its stdout is flushed at exit): what it sent and received.
    expect(output).toMatch(/SIP\/2\.0 401 Unauthorized[^]*algorithm=MD5/);
    expect(output).toMatch(/SIP\/2\.0 200 OK[^]*Service-Route: <sip:orig@/);
    expect(output).toMatch(/OPTIONS sip:[^\r\n]*@127\.0\.0\.1:\d+[^]*P-Asserted-Identity: </);
    expect(output).toMatch(/Contact: <[^>]+>;expires=0/);
    await eventually(
      async () => (await registrationState()) === 'NOT_REGISTERED',
      'baresip de-registered',
    );
  }, 60000);
});
