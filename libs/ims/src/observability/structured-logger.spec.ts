import { parseLogLines, StructuredLogger, type LogFormat } from './structured-logger';

function capture(format: LogFormat, level?: 'error' | 'warn' | 'log' | 'debug' | 'verbose') {
  const lines: { line: string; level: string }[] = [];
  const logger = new StructuredLogger({
    role: 'scscf',
    format,
    level,
    write: (line, l) => lines.push({ line, level: l }),
    now: () => new Date('2026-11-23T23:00:00.000Z'),
  });
  return { logger, lines };
}

describe('StructuredLogger', () => {
  it('json: one object per line with time, level, role, context, msg, then the fields', () => {
    const { logger, lines } = capture('json');
    logger.log('Cx connection open', 'Cx');
    logger.warn(
      { msg: 'Diameter peer down', peer: 'hss.ims.example', reason: 'closed', role: 'x' },
      'Observability',
    );
    logger.debug('hidden at level log', 'Cx');
    expect(lines.map((l) => l.line)).toEqual([
      '{"time":"2026-11-23T23:00:00.000Z","level":"info","role":"scscf","context":"Cx","msg":"Cx connection open"}',
      '{"time":"2026-11-23T23:00:00.000Z","level":"warn","role":"scscf","context":"Observability","msg":"Diameter peer down","peer":"hss.ims.example","reason":"closed"}',
    ]);
    expect(parseLogLines(lines.map((l) => l.line).join('\n'))).toHaveLength(2);
  });

  it("takes Nest's error(message, stack, context) and error(message, context) shapes", () => {
    const { logger, lines } = capture('json');
    const err = new Error('boom');
    logger.error('REGISTER failed', err.stack, 'SipDispatcher');
    logger.error('no stack', 'Cx');
    logger.error(err);
    const [a, b, c] = lines.map((l) => JSON.parse(l.line) as Record<string, unknown>);
    expect(a).toMatchObject({ level: 'error', context: 'SipDispatcher', msg: 'REGISTER failed' });
    expect(String(a.stack)).toMatch(/Error: boom\n\s+at /);
    expect(b).toEqual({
      time: '2026-11-23T23:00:00.000Z',
      level: 'error',
      role: 'scscf',
      context: 'Cx',
      msg: 'no stack',
    });
    expect(c).toMatchObject({ msg: 'boom', error: 'Error' });
    expect(lines.map((l) => l.level)).toEqual(['error', 'error', 'error']);
  });

  it('honours the lowest level and Nest setLogLevels', () => {
    const { logger, lines } = capture('json', 'warn');
    logger.log('no');
    logger.warn('yes');
    logger.setLogLevels(['error']);
    logger.warn('no');
    logger.error('yes');
    expect(lines.map((l) => JSON.parse(l.line).msg)).toEqual(['yes', 'yes']);
  });

  it('text: one readable line, inline fields, a multi-line field as a block after it', () => {
    const { logger, lines } = capture('text');
    logger.log(
      {
        msg: 'SIP >>> UDP 127.0.0.1:4060 REGISTER',
        bytes: 12,
        sip: 'REGISTER sip:x SIP/2.0\r\nVia: a\r\n',
      },
      'P-CSCF',
    );
    expect(lines[0].line).toBe(
      '2026-11-23T23:00:00.000Z INFO    [scscf] P-CSCF: SIP >>> UDP 127.0.0.1:4060 REGISTER bytes=12\nREGISTER sip:x SIP/2.0\r\nVia: a',
    );
  });

  it('keeps an entry whose fields cannot be serialised', () => {
    const { logger, lines } = capture('json');
    const loop: Record<string, unknown> = {};
    loop.self = loop;
    logger.log({ msg: 'circular', loop }, 'X');
    expect(JSON.parse(lines[0].line)).toMatchObject({ msg: 'circular', context: 'X' });
  });
});
