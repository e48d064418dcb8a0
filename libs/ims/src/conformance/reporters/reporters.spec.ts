import { childElements, parseXml, textContent } from '../../user-data';
import { CaseResult, SuiteRun } from '../conformance-types';
import { ConsoleReporter } from './console-reporter';
import { renderHtml } from './html-reporter';
import { renderJunit } from './junit-reporter';
import { renderLadderSvg, renderLadderText } from './ladder-svg';

const nasty = 'MESSAGE sip:b@x SIP/2.0\r\nSubject: <a> & "b" </script>\u0001\r\n\r\n';

function result(id: string, status: CaseResult['status'], message?: string): CaseResult {
  return {
    id,
    suite: 'registration',
    title: `Title of ${id} & <co>`,
    clauses: ['RFC 3261 §10.3', 'TS 24.229 §5.4.1.2'],
    summary: 'what it does',
    status,
    durationMs: 1234,
    checks: [{ label: 'a check <x>', ok: status === 'passed', detail: 'seen & shown' }],
    message,
    ladder: {
      actors: [
        { name: 'UE A', identity: 'sip:a@x', address: '127.0.0.1:1' },
        { name: 'P-CSCF', address: '127.0.0.1:5060 (UDP)' },
        { name: 'UE B', identity: 'sip:b@x', address: '127.0.0.1:2' },
      ],
      messages: [
        { at: 1, from: 0, to: 1, label: 'MESSAGE', text: nasty, kind: 'request' },
        { at: 5, from: 1, to: 2, label: 'MESSAGE', text: nasty, kind: 'request' },
        {
          at: 9,
          from: 2,
          to: 1,
          label: '200 OK (MESSAGE)',
          text: 'SIP/2.0 200 OK\r\n\r\n',
          kind: 'success',
        },
      ],
    },
  };
}

const run: SuiteRun = {
  config: {
    pcscf: { host: '127.0.0.1', port: 5060 },
    transport: 'UDP',
    domain: 'ims.example.org',
    localHost: '127.0.0.1',
    t1Ms: 500,
    caseTimeoutMs: 60000,
    maxExpiryWaitS: 120,
  },
  suites: ['registration'],
  startedAt: new Date('2026-01-02T03:04:05Z'),
  durationMs: 5000,
  results: [
    result('reg.a', 'passed'),
    result('reg.b', 'failed', 'a check <x> (seen & shown)'),
    result('reg.c', 'skipped', 'no md5'),
  ],
};

describe('JUnit XML', () => {
  it('is well-formed XML that says which case failed, and keeps message text readable', () => {
    const root = parseXml(renderJunit(run));
    expect(root.attributes).toMatchObject({
      tests: '3',
      failures: '1',
      errors: '0',
      skipped: '1',
      time: '5.000',
    });
    const cases = childElements(childElements(root, 'testsuite')[0], 'testcase');
    expect(cases.map((c) => c.attributes.name)).toEqual([
      'reg.a: Title of reg.a & <co>',
      'reg.b: Title of reg.b & <co>',
      'reg.c: Title of reg.c & <co>',
    ]);
    expect(childElements(cases[0], 'failure')).toEqual([]);
    expect(childElements(cases[1], 'failure')[0].attributes.message).toBe(
      'a check <x> (seen & shown)',
    );
    expect(childElements(cases[2], 'skipped')[0].attributes.message).toBe('no md5');
    const out = textContent(childElements(cases[1], 'system-out')[0]);
    expect(out).toContain('FAIL a check <x> — seen & shown');
    expect(out).toContain('+0.005s P-CSCF -> UE B: MESSAGE');
    expect(out).toContain('+0.009s P-CSCF <- UE B: 200 OK (MESSAGE)');
  });
});

describe('HTML report', () => {
  const html = renderHtml(run);

  it('is self-contained and escapes what the core sent', () => {
    expect(html).not.toMatch(/\ssrc=|href="(?!#)|@import/);
    expect(html).not.toContain('<co>');
    // The messages live in JSON inside <script>: no "</script>" can close it early.
    const scripts = html.match(/<script[\s>]/g)!.length;
    expect(html.match(/<\/script>/g)!.length).toBe(scripts);
    const json = /<script type="application\/json" class="messages">(.*?)<\/script>/s.exec(
      html,
    )![1];
    expect(JSON.parse(json)[0]).toBe(nasty);
  });

  it('draws one ladder per case with an arrow per message', () => {
    expect(html.match(/<svg [^>]*class="ladder"/g)).toHaveLength(3);
    expect(html.match(/<g class="msg" data-msg=/g)).toHaveLength(9);
    expect(html).toContain('data-status="failed"');
  });
});

describe('ladder', () => {
  it('puts each arrow between its columns, left to right or back', () => {
    const svg = renderLadderSvg(result('x', 'passed').ladder, 'x');
    const lines = [
      ...svg.matchAll(/<line x1="(\d+)" y1="[\d.]+" x2="(\d+)" y2="[\d.]+" stroke="(#\w+)"/g),
    ];
    const arrows = lines.filter((l) => l[1] !== l[2]).map((l) => [Number(l[1]), Number(l[2])]);
    expect(arrows).toHaveLength(3);
    expect(arrows[0][0]).toBeLessThan(arrows[0][1]);
    expect(arrows[1][0]).toBe(arrows[0][1]);
    expect(arrows[2][0]).toBeGreaterThan(arrows[2][1]);
    expect(parseXml(svg).name).toBe('svg');
    expect(renderLadderText(result('x', 'passed').ladder).split('\n')[0]).toBe(
      '+0.001s UE A -> P-CSCF: MESSAGE',
    );
  });
});

describe('console', () => {
  it('prints a line per case and a summary table', () => {
    let out = '';
    const reporter = new ConsoleReporter({ write: (t) => (out += t) });
    run.results.forEach((r, i) => reporter.caseFinished(r, i, 3));
    reporter.summary(run);
    expect(out).toContain('[1/3] PASS  reg.a');
    expect(out).toContain('[2/3] FAIL  reg.b');
    expect(out).toContain('         a check <x> (seen & shown)');
    expect(out).toMatch(/Result +Case +Time +Checks +Clauses/);
    expect(out).toContain('3 cases: 1 passed, 1 failed, 0 errors, 1 skipped in 5.0 s');
  });

  it('on a terminal, shows the running case live and replaces it with the outcome', () => {
    let out = '';
    const reporter = new ConsoleReporter({ write: (t) => (out += t), isTTY: true });
    const c = {
      id: 'reg.a',
      suite: 'registration',
      title: 'T',
      clauses: [],
      summary: '',
      run: async () => undefined,
    } as const;
    reporter.caseStarted({ ...c, clauses: [...c.clauses] }, 0, 3);
    expect(out).toMatch(/^\r\x1b\[2K\[1\/3\] …\s+reg\.a\s+T \(running 0 s\)$/);
    reporter.caseFinished(run.results[0], 0, 3);
    expect(out.slice(out.lastIndexOf('\r'))).toMatch(
      /^\r\x1b\[2K\[1\/3\] \x1b\[32mPASS \x1b\[0m reg\.a/,
    );
  });
});
