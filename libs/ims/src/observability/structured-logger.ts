/**
 * The log of every role: one JSON object per line (`LOG_FORMAT=json`: time, level, role,
 * context, msg, then the entry's own fields) or one readable line per entry for a terminal
 * (`text`). It has the shape of Nest's `LoggerService` (log, error, warn, debug, verbose,
 * fatal, setLogLevels), so an app passes it to `NestFactory` and every `new Logger(context)`
 * writes through it; libs/ims itself does not import NestJS.
 *
 * A structured entry is logged by passing an object: `logger.log({ msg: 'Cx peer down',
 * peer: 'hss.ims...', reason })` gives `{"time":..., "level":"info", ..., "msg":"Cx peer
 * down","peer":"hss.ims...","reason":...}`.
 */

export type LogFormat = 'json' | 'text';

/** Nest's level names, most severe first. `log` is written as `info`. */
export type LogLevelName = 'fatal' | 'error' | 'warn' | 'log' | 'debug' | 'verbose';

const ORDER: LogLevelName[] = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'];

/** The level a line carries: Nest's names except `log`, which log processors know as `info`. */
export function levelLabel(level: LogLevelName): string {
  return level === 'log' ? 'info' : level;
}

/** The levels at and above `lowest`, e.g. 'warn' -> fatal, error, warn. */
export function levelsFrom(lowest: LogLevelName): LogLevelName[] {
  return ORDER.slice(0, ORDER.indexOf(lowest) + 1);
}

/** The keys every JSON line starts with; an entry's own fields never replace them. */
export const LOG_LINE_KEYS = ['time', 'level', 'role', 'context', 'msg'] as const;

/** One parsed JSON log line. */
export interface LogLine {
  time: string;
  level: string;
  role: string;
  context?: string;
  msg: string;
  [field: string]: unknown;
}

export interface StructuredLoggerOptions {
  /** The role, in every line: pcscf, icscf, scscf, hss. */
  role: string;
  format: LogFormat;
  /** The lowest level written (default `log`). */
  level?: LogLevelName;
  /** Where lines go (default: stdout, stderr for error and fatal). */
  write?: (line: string, level: LogLevelName) => void;
  /** Clock for `time` (tests). */
  now?: () => Date;
}

function defaultWrite(line: string, level: LogLevelName): void {
  (level === 'error' || level === 'fatal' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** Nest passes a stack as a string with "    at " frames. */
function isStack(v: unknown): v is string {
  return typeof v === 'string' && /\n\s+at /.test(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Error);
}

export class StructuredLogger {
  readonly role: string;
  readonly format: LogFormat;
  private enabled: Set<LogLevelName>;
  private readonly write: (line: string, level: LogLevelName) => void;
  private readonly now: () => Date;

  constructor(o: StructuredLoggerOptions) {
    this.role = o.role;
    this.format = o.format;
    this.enabled = new Set(levelsFrom(o.level ?? 'log'));
    this.write = o.write ?? defaultWrite;
    this.now = o.now ?? (() => new Date());
  }

  log(message: unknown, ...params: unknown[]): void {
    this.entry('log', message, params);
  }

  error(message: unknown, ...params: unknown[]): void {
    this.entry('error', message, params);
  }

  warn(message: unknown, ...params: unknown[]): void {
    this.entry('warn', message, params);
  }

  debug(message: unknown, ...params: unknown[]): void {
    this.entry('debug', message, params);
  }

  verbose(message: unknown, ...params: unknown[]): void {
    this.entry('verbose', message, params);
  }

  fatal(message: unknown, ...params: unknown[]): void {
    this.entry('fatal', message, params);
  }

  /** Nest calls this with the levels to enable. */
  setLogLevels(levels: string[]): void {
    this.enabled = new Set(levels.filter((l): l is LogLevelName => ORDER.includes(l as never)));
  }

  isLevelEnabled(level: LogLevelName): boolean {
    return this.enabled.has(level);
  }

  /**
   * One entry. Nest's Logger appends its context as the last string parameter; for error and
   * fatal a stack may come before it.
   */
  private entry(level: LogLevelName, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const rest = [...params];
    let context: string | undefined;
    if (
      rest.length > 0 &&
      typeof rest[rest.length - 1] === 'string' &&
      !isStack(rest[rest.length - 1])
    ) {
      context = rest.pop() as string;
    }
    const fields: Record<string, unknown> = {};
    let msg: string;
    if (message instanceof Error) {
      msg = message.message;
      fields.error = message.name;
      if (message.stack) fields.stack = message.stack;
    } else if (isPlainObject(message)) {
      const { msg: m, message: mm, ...others } = message;
      msg = typeof m === 'string' ? m : typeof mm === 'string' ? mm : '';
      Object.assign(fields, others);
    } else {
      msg = typeof message === 'string' ? message : (JSON.stringify(message) ?? String(message));
    }
    for (const p of rest) {
      if (isStack(p)) fields.stack = p;
      else if (p !== undefined) ((fields.params ??= []) as unknown[]).push(p);
    }
    for (const k of LOG_LINE_KEYS) delete fields[k];
    const time = this.now().toISOString();
    this.write(
      this.format === 'json'
        ? jsonLine(time, level, this.role, context, msg, fields)
        : textLine(time, level, this.role, context, msg, fields),
      level,
    );
  }
}

function jsonLine(
  time: string,
  level: LogLevelName,
  role: string,
  context: string | undefined,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const line: Record<string, unknown> = { time, level: levelLabel(level), role };
  if (context !== undefined) line.context = context;
  line.msg = msg;
  Object.assign(line, fields);
  try {
    return JSON.stringify(line, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    // A circular field must not lose the entry.
    return JSON.stringify({ time, level: levelLabel(level), role, context, msg });
  }
}

/**
 * `time LEVEL [role] context: msg key=value ...`; a multi-line string field (a traced SIP
 * message) follows on its own lines.
 */
function textLine(
  time: string,
  level: LogLevelName,
  role: string,
  context: string | undefined,
  msg: string,
  fields: Record<string, unknown>,
): string {
  const head = `${time} ${levelLabel(level).toUpperCase().padEnd(7)} [${role}]${context ? ` ${context}:` : ''} ${msg}`;
  const inline: string[] = [];
  const blocks: string[] = [];
  for (const [k, v] of Object.entries(fields)) {
    if (typeof v === 'string' && v.includes('\n')) blocks.push(v.replace(/\r?\n$/, ''));
    else inline.push(`${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  }
  return [inline.length ? `${head} ${inline.join(' ')}` : head, ...blocks].join('\n');
}

/** Parses the JSON lines of a log, skipping anything else (a crash trace printed by node). */
export function parseLogLines(output: string): LogLine[] {
  const out: LogLine[] = [];
  for (const line of output.split('\n')) {
    if (!line.startsWith('{')) continue;
    try {
      const v = JSON.parse(line) as LogLine;
      if (typeof v === 'object' && v && typeof v.msg === 'string') out.push(v);
    } catch {
      /* not a log line */
    }
  }
  return out;
}
