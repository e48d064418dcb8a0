/**
 * docker-compose.yml proven against the code. Docker cannot run here, so the file is read and
 * (1) its invariants are checked (one Dockerfile, non-root runtime, DB volume, healthchecks,
 * published ports, dependency order, every variable known to its role), and (2) its services
 * run as local processes from dist/ with THEIR environment from the file, rewritten to
 * loopback by the generic rule of ./compose.ts, started in depends_on order and each waited
 * for with its own healthcheck command; then a subscriber is provisioned over the published
 * REST port and registers through the published P-CSCF port. A wrong variable name or value
 * in the file makes a role refuse to boot or the registration fail, and this spec with it.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parsePrometheusText, UeSimulator } from '@lib/ims';
import { DEFAULT_DOMAIN, demoSippCsv } from '../../scripts/lab';
import { runSipp } from '../../scripts/sipp';
import { DOMAIN, ensureBuilt, ROOT, ROLES } from '../support/lab';
import { akaSubscriber, shortcutBody } from '../support/subscribers';
import { DIST_SCRIPTS, ensureScriptsBuilt } from './built';
import {
  ComposeRunError,
  dockerStages,
  interpolate,
  loadCompose,
  localCommand,
  localEnv,
  parsePortSpec,
  planLocal,
  publishedLocalPort,
  rewriteValue,
  RunningService,
  servicePorts,
  sippOptionsOf,
  startOrder,
  startService,
  stopService,
  waitHealthy,
} from './compose';

jest.setTimeout(60000);

const compose = loadCompose();
const dockerfile = fs.readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');
const stages = dockerStages(dockerfile);
const runtime = stages.find((s) => s.name === 'runtime')!;

describe('docker-compose.yml invariants', () => {
  it('runs the four roles in dependency order hss -> scscf -> icscf -> pcscf, healthy first', () => {
    expect(startOrder(compose)).toEqual(['hss', 'scscf', 'icscf', 'pcscf']);
    for (const [svc, dep] of [
      ['scscf', 'hss'],
      ['icscf', 'scscf'],
      ['pcscf', 'icscf'],
    ]) {
      expect(compose.services[svc].depends_on?.[dep]?.condition).toBe('service_healthy');
    }
  });

  it('builds every service from the one Dockerfile: roles from its runtime stage', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      expect(svc.build?.dockerfile).toBe('Dockerfile');
      expect(svc.build?.context).toBe('.');
      expect(stages.map((s) => s.name)).toContain(svc.build?.target);
      if (ROLES.includes(name as never)) {
        expect(svc.build?.target).toBe('runtime');
        expect(svc.command).toEqual([`dist/apps/${name}/main.js`]);
      }
    }
  });

  it('the Dockerfile builds with dev deps, ships production deps only, runs as non-root node', () => {
    const build = stages.find((s) => s.name === 'build')!;
    const buildText = build.lines.join('\n');
    expect(buildText).toMatch(/npm ci/);
    expect(buildText).toMatch(/npm run build/);
    expect(buildText).toMatch(/npm prune --omit=dev/);
    expect(runtime.lines.join('\n')).toMatch(/COPY --from=build \/app\/node_modules/);
    expect(runtime.user).toBeDefined();
    expect(runtime.user).not.toMatch(/^(root|0)(:|$)/);
    expect(runtime.entrypoint).toEqual(['node']);
    expect(stages[stages.length - 1].name).toBe('runtime'); // `docker build .` gives the roles
  });

  it('keeps the HSS database on a named volume', () => {
    const hss = compose.services.hss;
    const dbPath = hss.environment?.HSS_DB_PATH ?? '';
    const mount = (hss.volumes ?? [])
      .map((v) => v.split(':'))
      .find(([, t]) => dbPath.startsWith(`${t}/`));
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount![0]);
    expect(runtime.lines.join('\n')).toMatch(new RegExp(`VOLUME \\["${mount![1]}"\\]`));
  });

  it('has a healthcheck on every role, run with node (no shell, no curl in the image)', () => {
    for (const role of ROLES) {
      const test = compose.services[role].healthcheck?.test ?? [];
      expect(test.slice(0, 3)).toEqual(['CMD', 'node', '-e']);
    }
  });

  it("checks each role's GET /health on its own HTTP port, exposed on the network", () => {
    for (const role of ROLES) {
      const svc = compose.services[role];
      const portVar = role === 'hss' ? 'HSS_REST_PORT' : `${role.toUpperCase()}_HTTP_PORT`;
      const script = (svc.healthcheck?.test ?? [])[3] ?? '';
      expect(script).toContain(`process.env.${portVar}+'/health'`);
      expect(script).toMatch(/r\.status===200/);
      const port = svc.environment?.[portVar];
      expect(port).toBeDefined();
      expect(servicePorts(svc)).toContain(Number(port));
      // Bound beyond the container's own address, so 127.0.0.1 in the check reaches it.
      const hostVar = role === 'hss' ? 'HSS_REST_HOST' : `${role.toUpperCase()}_HTTP_HOST`;
      expect(svc.environment?.[hostVar]).toBe('0.0.0.0');
    }
  });

  it('publishes the P-CSCF SIP port over UDP and TCP and the HSS REST port, on loopback by default', () => {
    const published = (svc: string) =>
      (compose.services[svc].ports ?? []).map((p) => parsePortSpec(p));
    expect(published('pcscf')).toEqual(
      expect.arrayContaining([
        { hostIp: '127.0.0.1', host: 5060, container: 5060, protocol: 'udp' },
        { hostIp: '127.0.0.1', host: 5060, container: 5060, protocol: 'tcp' },
      ]),
    );
    expect(published('hss')).toEqual([
      { hostIp: '127.0.0.1', host: 8080, container: 8080, protocol: 'tcp' },
    ]);
    expect(
      parsePortSpec(compose.services.pcscf.ports![0], { LAB_PUBLISH_ADDR: '0.0.0.0' }).hostIp,
    ).toBe('0.0.0.0');
  });

  it('sets only variables the roles know (from the roles config specs)', () => {
    ensureScriptsBuilt('config-docs');
    const r = spawnSync(process.execPath, [path.join(DIST_SCRIPTS, 'config-docs.js'), '--json'], {
      encoding: 'utf8',
      timeout: 20000,
    });
    expect(r.status).toBe(0);
    const known = new Map(
      (JSON.parse(r.stdout) as { role: string; rows: string[][] }[]).map((x) => [
        x.role,
        new Set(x.rows.map(([env]) => env)),
      ]),
    );
    for (const role of ROLES) {
      const vars = known.get(role)!;
      if (vars.size === 0) continue; // role without a config module yet: proven at boot below
      const unknown = Object.keys(compose.services[role].environment ?? {}).filter(
        (v) => !vars.has(v),
      );
      expect({ role, unknown }).toEqual({ role, unknown: [] });
    }
  });

  it('the ue profile runs SIPp with the scenario and the demo subscribers of the HSS seed', () => {
    const ue = compose.services.ue;
    expect(ue.profiles).toEqual(['ue']);
    expect(ue.depends_on?.pcscf?.condition).toBe('service_healthy');
    const args = ue.command ?? [];
    const after = (flag: string) => args[args.indexOf(flag) + 1];
    expect(args[args.length - 1]).toBe('pcscf:5060');
    expect(after('-auth_uri')).toBe(DEFAULT_DOMAIN);
    const ueStage = stages.find((s) => s.name === 'ue')!;
    const copy = ueStage.lines
      .find((l) => l.startsWith('COPY'))!
      .split(/\s+/)
      .slice(1);
    const into = copy.pop()!;
    for (const flag of ['-sf', '-inf']) {
      const inContainer = after(flag);
      const source = copy.find(
        (c) => path.posix.join(into, path.posix.basename(c)) === inContainer,
      );
      expect(source).toBeDefined();
      expect(fs.existsSync(path.join(ROOT, source!))).toBe(true);
    }
    // The injection file is the one the launcher generates from the seed.
    expect(fs.readFileSync(path.join(ROOT, 'docker', 'sipp', 'demo-ue.csv'), 'utf8')).toBe(
      demoSippCsv(DEFAULT_DOMAIN),
    );
    expect(ue.environment?.IMS_DOMAIN ?? DEFAULT_DOMAIN).toBe(
      compose.services.pcscf.environment?.IMS_DOMAIN,
    );
  });
});

describe('the loopback rewrite rule', () => {
  let plan: Awaited<ReturnType<typeof planLocal>>;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-rule-'));

  beforeAll(async () => {
    plan = await planLocal(compose, tmp);
  });

  afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('maps service names, addresses and 0.0.0.0 to 127.0.0.1 and ports to free ones', () => {
    const hssDiameter = plan.ports.get('hss:3868')!;
    expect(rewriteValue('hss:3868', 'scscf', plan)).toBe(`127.0.0.1:${hssDiameter}`);
    expect(rewriteValue('0.0.0.0', 'hss', plan)).toBe('127.0.0.1');
    expect(rewriteValue('8080', 'hss', plan)).toBe(String(plan.ports.get('hss:8080')));
    expect(rewriteValue('8080', 'scscf', plan)).toBe('8080'); // not its own port
    const scscf = plan.ports.get('scscf:6060')!;
    expect(rewriteValue(`sip:scscf.${DOMAIN}:6060`, 'icscf', plan)).toBe(
      `sip:scscf.${DOMAIN}:${scscf}`,
    );
    const hosts = localEnv('pcscf', plan).IMS_HOSTS;
    expect(hosts).toContain(`scscf.${DOMAIN}=127.0.0.1`);
    expect(hosts).not.toMatch(/10\.199\./);
    expect(localEnv('hss', plan).HSS_DB_PATH).toBe(path.join(tmp, 'volume-hss-data', 'hss.sqlite'));
  });

  it('refuses a reference to a port the service does not expose', () => {
    expect(() => rewriteValue('hss:9999', 'scscf', plan)).toThrow(ComposeRunError);
  });

  it('leaves no address but loopback in any role environment', () => {
    for (const role of ROLES) {
      for (const value of Object.values(localEnv(role, plan))) {
        for (const ip of value.match(/\b\d{1,3}(\.\d{1,3}){3}\b/g) ?? []) {
          expect(ip).toBe('127.0.0.1');
        }
      }
    }
  });

  it('maps the container command onto the built dist/', () => {
    expect(localCommand(runtime, ['dist/apps/hss/main.js'])).toEqual({
      file: process.execPath,
      args: [path.join(ROOT, 'dist', 'apps', 'hss', 'main.js')],
    });
    expect(interpolate('${A:-x}:${B}', { B: 'y' })).toBe('x:y');
  });
});

describe('docker-compose.yml services as local processes', () => {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'compose-run-'));
  const running: RunningService[] = [];
  let plan: Awaited<ReturnType<typeof planLocal>>;

  beforeAll(async () => {
    ensureBuilt();
    plan = await planLocal(compose, tmp);
    for (const name of startOrder(compose)) {
      const r = startService(name, plan, runtime);
      running.push(r);
      await waitHealthy(r, compose.services[name].healthcheck!);
    }
  });

  afterAll(async () => {
    for (const r of [...running].reverse()) await stopService(r);
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('starts every service, each healthy by its own healthcheck, and none exits', () => {
    expect(running.map((r) => r.name)).toEqual(['hss', 'scscf', 'icscf', 'pcscf']);
    for (const r of running)
      expect({ name: r.name, exit: r.proc.exitCode }).toEqual({ name: r.name, exit: null });
    expect(fs.existsSync(path.join(tmp, 'volume-hss-data', 'hss.sqlite'))).toBe(true);
  });

  it('serves /health (200) and /metrics (Prometheus text) of every role on its rewritten port', async () => {
    for (const role of ROLES) {
      const r = running.find((x) => x.name === role)!;
      const port = role === 'hss' ? r.env.HSS_REST_PORT : r.env[`${role.toUpperCase()}_HTTP_PORT`];
      const health = await fetch(`http://127.0.0.1:${port}/health`);
      expect({ role, status: health.status }).toEqual({ role, status: 200 });
      const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
      expect(metrics.status).toBe(200);
      const families = parsePrometheusText(await metrics.text());
      expect(families.has('process_start_time_seconds')).toBe(true);
      if (role !== 'hss') expect(families.get('sip_transactions_total')?.type).toBe('counter');
    }
    for (const r of running) {
      const lines = r.output
        .join('')
        .split('\n')
        .filter((l) => l.trim() !== '');
      expect({ name: r.name, notJson: lines.filter((l) => !l.startsWith('{')) }).toEqual({
        name: r.name,
        notJson: [],
      });
    }
  });

  it('provisions over the published REST port and registers through the published P-CSCF port', async () => {
    const rest = `http://127.0.0.1:${publishedLocalPort(plan, 'hss', 8080)}`;
    const s = akaSubscriber();
    const created = await fetch(`${rest}/subscribers`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(shortcutBody(s)),
    });
    expect(created.status).toBe(201);

    const ue = await UeSimulator.start({
      impi: s.impi,
      impu: s.impu,
      domain: DOMAIN,
      pcscf: {
        host: '127.0.0.1',
        port: publishedLocalPort(plan, 'pcscf', 5060),
        transport: 'UDP',
      },
      credentials: { k: s.k, op: s.op },
      expires: 600,
      timers: { T1: 100 },
    });
    try {
      const r = await ue.register();
      expect(r.status).toBe(200);
      expect(r.challenges).toBe(1);
      expect(r.associatedUris.length).toBe(s.impus.length);
      expect((await ue.deregister()).status).toBe(200);
    } finally {
      await ue.close();
    }
    for (const r of running)
      expect({ name: r.name, exit: r.proc.exitCode }).toEqual({ name: r.name, exit: null });
  });

  it('routes a call between two subscribers through them (tel URI via SCSCF_ENUM, P,S,I,S,P)', async () => {
    const rest = `http://127.0.0.1:${publishedLocalPort(plan, 'hss', 8080)}`;
    const pcscf = {
      host: '127.0.0.1',
      port: publishedLocalPort(plan, 'pcscf', 5060),
      transport: 'UDP' as const,
    };
    const ues: UeSimulator[] = [];
    try {
      for (let i = 0; i < 2; i++) {
        const s = akaSubscriber();
        const created = await fetch(`${rest}/subscribers`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(shortcutBody(s)),
        });
        expect(created.status).toBe(201);
        const ue = await UeSimulator.start({
          impi: s.impi,
          impu: s.impu,
          domain: DOMAIN,
          pcscf,
          credentials: { k: s.k, op: s.op },
          expires: 600,
          timers: { T1: 100 },
        });
        ues.push(ue);
        expect((await ue.register()).status).toBe(200);
      }
      const [caller, callee] = ues;
      const tel = /<?(tel:[^>;]+)/.exec(callee.associatedUris.find((u) => u.includes('tel:'))!)![1];
      const incoming = callee.waitForCall(10000);
      const call = caller.call(tel);
      const leg = await incoming;
      expect(leg.invite.get('P-Asserted-Identity')).toContain(caller.options.impu);
      leg.ring();
      void leg.answer();
      expect((await call.answered).status).toBe(200);
      expect((await call.bye()).status).toBe(200);
    } finally {
      for (const ue of ues) await ue.close();
    }
  });

  it('the ue profile (SIPp) registers and de-registers the demo subscriber through them', async () => {
    const ueStage = stages.find((s) => s.name === 'ue')!;
    const r = await runSipp(sippOptionsOf('ue', plan, ueStage));
    expect({ exit: r.exitCode, ok: r.successful, errors: r.errors }).toEqual({
      exit: 0,
      ok: 1,
      errors: '',
    });
  });
});
