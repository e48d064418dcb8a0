/**
 * The SIPp call scenarios and the runner's call helpers, without the core: the UAC
 * (call-uac.xml) calls the UAS (call-uas.xml) directly on loopback, so a broken scenario or
 * helper shows here rather than as a failed call through the CSCFs. And the runner's checks
 * of the new options (-key values, -d) before SIPp starts.
 */
import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkSippOptions,
  runSippCalls,
  scenarioRows,
  serviceRouteFromLogs,
  SippArgumentError,
  sippArgs,
  sippAvailable,
} from '../../scripts/sipp';
import { freePort } from '../support/lab';

jest.setTimeout(60000);

const uac = path.join(__dirname, 'call-uac.xml');
const ok = { scenario: uac, target: { host: '127.0.0.1', port: 5060 }, calls: 1, timeoutSec: 10 };

describe('SIPp call helpers', () => {
  it('refuses -key/-set names and values that could inject lines, and an unbounded pause', () => {
    expect(() => checkSippOptions({ ...ok, keys: { route: '<sip:a;lr>\r\nVia: x' } })).toThrow(
      SippArgumentError,
    );
    expect(() => checkSippOptions({ ...ok, keys: { 'a b': 'x' } })).toThrow(/-key name/);
    expect(() => checkSippOptions({ ...ok, set: { v: 'x\ny' } })).toThrow(/-set v/);
    expect(() => checkSippOptions({ ...ok, pauseMs: -1 })).toThrow(/pauseMs/);
    expect(() => checkSippOptions({ ...ok, pauseMs: 1.5 })).toThrow(/pauseMs/);
    const args = sippArgs(
      { ...ok, pauseMs: 20, traceLogs: true, keys: { route: '<sip:orig@127.0.0.1:5062;lr>' } },
      '/tmp/w',
    );
    expect(args.join(' ')).toContain('-d 20');
    expect(args.join(' ')).toContain('-trace_logs -log_file /tmp/w/logs.log');
    expect(args.join(' ')).toContain('-key route <sip:orig@127.0.0.1:5062;lr>');
  });

  it("reads a message's counters from SIPp's last scenario screen", () => {
    const screen = [
      '------ Scenario Screen -------- [1-9]: Change Screen --',
      '      INVITE ---------->  B-RTD1 3         0         0',
      '         180 <----------         1         0         0         0',
      '         ACK ---------->         9         0',
      '------ Scenario Screen -------- [1-9]: Change Screen --',
      '      INVITE ---------->  B-RTD1 20        2         0',
      '         100 <----------         20        0         0         0',
      '         180 <----------         19        0         0         0',
      '         200 <----------  E-RTD1 20        0         0         0',
      '       Pause [     50ms]         20                            0',
      '         200 <----------  E-RTD2 20        0         0         1',
    ].join('\n');
    expect(scenarioRows(screen, 'INVITE')).toEqual([[20, 2, 0]]);
    expect(scenarioRows(screen, '180')).toEqual([[19, 0, 0, 0]]);
    expect(scenarioRows(screen, '200')).toEqual([
      [20, 0, 0, 0],
      [20, 0, 0, 1],
    ]);
    expect(scenarioRows(screen, 'BYE')).toEqual([]);
  });

  it('reads the Service-Route a registration run logged', () => {
    expect(
      serviceRouteFromLogs('001 starts\nSERVICE-ROUTE <sip:orig@scscf.ims.test:5062;lr>\n'),
    ).toBe('<sip:orig@scscf.ims.test:5062;lr>');
    expect(serviceRouteFromLogs('SERVICE-ROUTE \n')).toBeUndefined();
  });

  (sippAvailable() ? it : it.skip)(
    'the UAC scenario completes calls against the UAS scenario (no core in between)',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sipp-call-pair-'));
      const caller = { user: 'alice', port: await freePort() };
      const callee = { user: 'bob', port: await freePort() };
      const r = await runSippCalls({
        uacScenario: uac,
        uasScenario: path.join(__dirname, 'call-uas.xml'),
        target: { host: '127.0.0.1', port: callee.port },
        caller,
        callee,
        domain: 'ims.test',
        serviceRoute: `<sip:orig@127.0.0.1:${callee.port};lr>`,
        calls: 20,
        rate: 20,
        pauseMs: 10,
        timeoutSec: 20,
        workDir: dir,
        uasGraceSec: 5,
      });
      expect([r.uac.exitCode, r.uac.successful, r.uac.failed]).toEqual([0, 20, 0]);
      expect(scenarioRows(r.uac.stdout, '180')).toEqual([[20, 0, 0, 0]]);
      // The UAS is stopped by SIGINT once the UAC is done: judged by its counts.
      expect([r.uas.successful, r.uas.failed]).toEqual([20, 0]);
      expect(r.uac.command).toContain('-key route <sip:orig@');
    },
  );

  (sippAvailable() ? it : it.skip)(
    'stops a UAS that never gets its calls soon after the UAC gave up',
    async () => {
      const caller = { user: 'alice', port: await freePort() };
      const callee = { user: 'bob', port: await freePort() };
      // Something that answers every INVITE with 486 Busy Here: the UAC's one call fails at
      // once; the UAS never gets a call and would wait for its own 30 s timeout.
      const busy = dgram.createSocket('udp4');
      await new Promise<void>((resolve) => busy.bind(0, '127.0.0.1', resolve));
      busy.on('message', (msg, from) => {
        const text = msg.toString('latin1');
        if (!text.startsWith('INVITE ')) return;
        const copy = text
          .split('\r\n')
          .filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l))
          .join('\r\n');
        busy.send(
          `SIP/2.0 486 Busy Here\r\n${copy}\r\nContent-Length: 0\r\n\r\n`,
          from.port,
          from.address,
        );
      });
      const started = Date.now();
      try {
        const r = await runSippCalls({
          uacScenario: uac,
          uasScenario: path.join(__dirname, 'call-uas.xml'),
          target: { host: '127.0.0.1', port: busy.address().port },
          caller,
          callee,
          domain: 'ims.test',
          serviceRoute: `<sip:orig@127.0.0.1:${busy.address().port};lr>`,
          calls: 1,
          rate: 1,
          pauseMs: 0,
          timeoutSec: 30,
          uasGraceSec: 1,
        });
        expect([r.uac.successful, r.uac.failed]).toEqual([0, 1]);
        expect(r.uac.exitCode).not.toBe(0);
        expect(r.uas.successful).toBe(0);
        // Well before the UAS's own 30 s timeout.
        expect((Date.now() - started) / 1000).toBeLessThan(15);
      } finally {
        busy.close();
      }
    },
  );
});
