/**
 * `npm run ims-test` against our own core (issue 7): the four roles as real processes on
 * loopback, the built command provisioning its subscribers over REST, JUnit and HTML written
 * and read back. Then the same command with a subscribers file over TCP, the exit code when a
 * case cannot pass, and the usage errors.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CATALOGUE } from '@lib/ims';
import { Lab } from '../support/lab';
import { akaSubscriber, shortcutBody } from '../support/subscribers';
import { findChromium, HeadlessChromium } from './support/headless-chromium';
import { CliRun, ensureCliBuilt, readJunit, runCli } from './support/run-cli';

jest.setTimeout(300000);

const CHROMIUM = findChromium();
/** Where the report screenshot of docs/ims-test.md lives; rewritten with UPDATE_SCREENSHOT=1. */
const SCREENSHOT = path.join(__dirname, '..', '..', 'docs', 'img', 'ims-test-ladder.png');

describe('npm run ims-test against our core', () => {
  let lab: Lab;
  let dir: string;
  let run: CliRun;
  const junit = () => path.join(dir, 'ims-test.xml');
  const html = () => path.join(dir, 'ims-test.html');

  beforeAll(async () => {
    ensureCliBuilt();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ims-test-e2e-'));
    lab = await Lab.start({ env: { SCSCF_MIN_EXPIRES: '2' } });
    await lab.waitForCxPeers(2);
    run = await runCli([
      '--pcscf',
      `127.0.0.1:${lab.ports.pcscf}`,
      '--provision',
      lab.hssUrl,
      '--t1',
      '100',
      '--junit',
      junit(),
      '--html',
      html(),
    ]);
  });

  afterAll(async () => {
    await lab?.stop();
  });

  it('passes every case, exits 0, and prints a live line per case and a summary table', () => {
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    for (const c of CATALOGUE)
      expect(run.stdout).toMatch(new RegExp(`PASS +${c.id.replace('.', '\\.')} `));
    expect(run.stdout).toMatch(/Result +Case +Time +Checks +Clauses/);
    expect(run.stdout).toMatch(
      new RegExp(`${CATALOGUE.length} cases: ${CATALOGUE.length} passed, 0 failed`),
    );
  });

  it('removes the subscribers it provisioned', async () => {
    // Its subscribers have test IMSIs 001019… (and nothing else in this lab does yet).
    const count = async () =>
      (await lab.rest<{ total: number }>('GET', '/subscribers?imsi=001019')).body.total;
    expect(await count()).toBe(0);
    // The query does find such a subscriber when there is one.
    const probe = { imsi: '001019000000000', k: '0'.repeat(32), opc: '1'.repeat(32) };
    expect((await lab.rest('POST', '/subscribers', probe)).status).toBe(201);
    expect(await count()).toBe(1);
    expect((await lab.rest('DELETE', `/subscribers/${probe.imsi}`)).status).toBeLessThan(300);
  });

  it('writes JUnit XML with one passing testcase per case, each citing its clauses', () => {
    const { root, cases } = readJunit(fs.readFileSync(junit(), 'utf8'));
    expect(root.name).toBe('testsuites');
    expect(Number(root.attributes.failures) + Number(root.attributes.errors)).toBe(0);
    expect(cases).toHaveLength(CATALOGUE.length);
    for (const c of CATALOGUE) {
      const tc = cases.find((x) => x.name.startsWith(`${c.id}: `));
      expect(tc).toMatchObject({
        classname: `ims-test.${c.suite}`,
        outcome: 'passed',
        clauses: c.clauses,
      });
      // The checks on the wire and the ladder are in system-out.
      expect(tc!.systemOut).toMatch(/^PASS /m);
    }
    expect(cases.every((c) => c.outcome === 'passed')).toBe(true);
    const aka = cases.find((c) => c.name.startsWith('reg.aka: '))!;
    expect(aka.systemOut).toMatch(
      /UE A -> P-CSCF: REGISTER[\s\S]*UE A <- P-CSCF: 401 Unauthorized \(REGISTER\)[\s\S]*UE A <- P-CSCF: 200 OK \(REGISTER\)/,
    );
  });

  it('writes a self-contained HTML report with a ladder diagram per case', () => {
    const page = fs.readFileSync(html(), 'utf8');
    expect(page).toMatch(/^<!DOCTYPE html>/);
    // No external asset: no src/href to another document, no @import, no url(http...).
    expect(page).not.toMatch(/\ssrc=/i);
    expect(page).not.toMatch(/href="(?!#)/i);
    expect(page).not.toMatch(/@import|url\(\s*['"]?https?:/i);
    for (const c of CATALOGUE) {
      const section = new RegExp(
        `<section class="case" id="case-${c.id.replace('.', '\\.')}" data-status="passed">[\\s\\S]*?<svg [^>]*class="ladder"[\\s\\S]*?</section>`,
      );
      expect(page).toMatch(section);
    }
  });

  const inChromium = CHROMIUM ? it : it.skip;
  inChromium(
    CHROMIUM
      ? 'renders in headless Chromium without script errors; an arrow shows its message; screenshot of a ladder'
      : 'renders in headless Chromium — SKIPPED: no chromium binary (apt-get install chromium; .ci/run installs it)',
    async () => {
      const browser = await HeadlessChromium.launch(CHROMIUM!);
      try {
        await browser.open(`file://${html()}`);
        // The inline script ran to its end, and nothing went wrong on the page.
        expect(await browser.evaluate<string>('document.body.dataset.ready')).toBe('true');
        const ladders = await browser.evaluate<number>(
          'document.querySelectorAll("svg.ladder").length',
        );
        expect(ladders).toBe(CATALOGUE.length);
        // Clicking the first arrow of reg.aka shows that whole message (its REGISTER).
        const shown = await browser.evaluate<string>(`(() => {
          const s = document.getElementById('case-reg.aka');
          s.querySelector('g.msg').dispatchEvent(new MouseEvent('click', { bubbles: true }));
          const v = s.querySelector('pre.message-view');
          return v.hidden ? '' : v.textContent;
        })()`);
        expect(shown).toMatch(/^REGISTER sip:\S+ SIP\/2\.0\r?\n/);
        // The ladder of the basic call, as a reader sees it: UE A, the core, UE B.
        const box = await browser.evaluate<{
          x: number;
          y: number;
          width: number;
          height: number;
        }>(`(() => {
          const svg = document.getElementById('case-call.basic').querySelector('svg.ladder');
          const r = svg.getBoundingClientRect();
          return { x: r.left + window.scrollX, y: r.top + window.scrollY, width: r.width, height: r.height };
        })()`);
        expect(box.width).toBeGreaterThan(800);
        expect(box.height).toBeGreaterThan(200);
        const png = await browser.screenshot(box);
        expect(png.subarray(0, 8)).toEqual(
          Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
        );
        expect(png.readUInt32BE(16)).toBe(Math.round(box.width));
        fs.writeFileSync(path.join(dir, 'ladder.png'), png);
        if (process.env.UPDATE_SCREENSHOT === '1') {
          fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
          fs.writeFileSync(SCREENSHOT, png);
        }
        expect(browser.pageErrors).toEqual([]);
      } finally {
        await browser.close();
      }
    },
  );

  it('takes its subscribers from a file, over TCP (registration and calls), for a core provisioned some other way', async () => {
    const subs = [akaSubscriber(), akaSubscriber(), akaSubscriber()];
    for (const s of subs)
      expect((await lab.rest('POST', '/subscribers', shortcutBody(s))).status).toBe(201);
    const md5 = akaSubscriber();
    const md5Body = shortcutBody(md5, { authScheme: 'SIP Digest', password: 'file-secret' });
    expect((await lab.rest('POST', '/subscribers', md5Body)).status).toBe(201);
    const file = path.join(dir, 'subscribers.json');
    fs.writeFileSync(
      file,
      JSON.stringify({
        subscribers: [
          ...subs.map((s) => ({ impi: s.impi, impu: s.impu, impus: s.impus, k: s.k, op: s.op })),
          { impi: md5.impi, impu: md5.impu, password: 'file-secret' },
        ],
      }),
    );
    const xml = path.join(dir, 'file.xml');
    const r = await runCli([
      '--pcscf',
      `127.0.0.1:${lab.ports.pcscf}`,
      '--transport',
      'tcp',
      '--subscribers',
      file,
      '--suite',
      'all',
      '--case',
      'reg.aka,reg.md5,reg.sqn-resync,reg.reg-event,reg.path,call.basic,call.message',
      '--t1',
      '100',
      '--junit',
      xml,
    ]);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.stdout).toMatch(/P-CSCF 127\.0\.0\.1:\d+\/TCP/);
    const { cases } = readJunit(fs.readFileSync(xml, 'utf8'));
    expect(cases.map((c) => `${c.name.split(':')[0]} ${c.outcome}`)).toEqual([
      'reg.aka passed',
      'reg.md5 passed',
      'reg.sqn-resync passed',
      'reg.reg-event passed',
      'reg.path passed',
      'call.basic passed',
      'call.message passed',
    ]);
    expect(fs.readFileSync(xml, 'utf8')).toContain('<property name="transport" value="TCP"/>');
  });

  it('exits 1 when a selected case does not pass (no SIP Digest subscriber: reg.md5 skipped)', async () => {
    const s = akaSubscriber();
    expect((await lab.rest('POST', '/subscribers', shortcutBody(s))).status).toBe(201);
    const file = path.join(dir, 'aka-only.json');
    fs.writeFileSync(file, JSON.stringify([{ impi: s.impi, impu: s.impu, k: s.k, op: s.op }]));
    const xml = path.join(dir, 'skip.xml');
    const r = await runCli([
      '--pcscf',
      `127.0.0.1:${lab.ports.pcscf}`,
      '--subscribers',
      file,
      '--case',
      'reg.aka,reg.md5',
      '--t1',
      '100',
      '--junit',
      xml,
    ]);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/SKIP +reg\.md5/);
    expect(r.stdout).toMatch(/needs 1 SIP Digest/);
    const { cases } = readJunit(fs.readFileSync(xml, 'utf8'));
    expect(cases.map((c) => c.outcome)).toEqual(['passed', 'skipped']);
  });

  it.each([
    [[], /--pcscf HOST:PORT is required/],
    [['--pcscf', '127.0.0.1:5060'], /subscribers needed/],
    [['--pcscf', '127.0.0.1:99999', '--subscribers', 'x.json'], /port must be 1\.\.65535/],
    [
      ['--pcscf', '127.0.0.1', '--transport', 'sctp', '--subscribers', 'x.json'],
      /--transport must be udp or tcp/,
    ],
    [['--pcscf', '127.0.0.1', '--provision', 'ftp://x'], /http\(s\) URL/],
    [
      ['--pcscf', '127.0.0.1', '--subscribers', '/nonexistent/subs.json'],
      /cannot read \/nonexistent\/subs\.json/,
    ],
    [
      ['--pcscf', '127.0.0.1', '--subscribers', 'x.json', '--case', 'reg.nope'],
      /--case reg\.nope: no such case/,
    ],
    [['--pcscf', '127.0.0.1', '--subscribers', 'x.json', '--bogus'], /Unknown option '--bogus'/],
  ])('refuses bad arguments up front with exit code 2: %j', async (args, message) => {
    const r = await runCli(args as string[], 30000);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});
