/**
 * Reads a pcap back with `tshark -r` and turns its frames into typed SIP and Diameter messages,
 * so that a test can judge what went over the wire with Wireshark's dissectors rather than our
 * own parsers. Ports are mapped to dissectors explicitly (`-d udp.port==P,sip`,
 * `-d tcp.port==P,diameter`): Wireshark 4.0 has no `diameter.tcp.ports` preference and the lab
 * runs on random free ports that no heuristic would recognise.
 */
import { execFileSync } from 'node:child_process';
import { TSHARK } from './capture';

/** Which ports carry which protocol (`-d` Decode-As rules). */
export interface DecodeAs {
  /** SIP over UDP and TCP on these ports. */
  sip?: number[];
  /** Diameter over TCP on these ports. */
  diameter?: number[];
}

/** Wireshark expert severities (epan/proto.h PI_CHAT ... PI_ERROR), as `_ws.expert.severity` prints them. */
export const ExpertSeverity = {
  CHAT: 0x00200000,
  NOTE: 0x00400000,
  WARN: 0x00600000,
  ERROR: 0x00800000,
} as const;

export interface CapturedSipMessage {
  frame: number;
  /** The method of a request, or the status code of a response as text (`"401"`). */
  summary: string;
  method?: string;
  status?: number;
  callId: string;
  cseq: number;
  /** Top Via sent-by port (only when the frame carries this one SIP message). */
  topViaPort?: number;
}

export interface CapturedDiameterMessage {
  frame: number;
  commandCode: number;
  request: boolean;
  hopByHop: number;
  resultCode?: number;
  experimentalResultCode?: number;
  /** User-Name (only when the frame carries this one Diameter message). */
  userName?: string;
}

export interface CapturedFrame {
  number: number;
  transport?: 'udp' | 'tcp';
  srcPort: number;
  dstPort: number;
  tcpStream?: number;
  /** Every expert item's severity (see ExpertSeverity). */
  severities: number[];
  /** Wireshark added a `_ws.malformed` item (an exception while dissecting). */
  malformed: boolean;
  sip: CapturedSipMessage[];
  diameter: CapturedDiameterMessage[];
}

/** The `-d` arguments for a DecodeAs map. */
export function decodeAsArgs(decodeAs: DecodeAs): string[] {
  return [
    ...(decodeAs.sip ?? []).flatMap((p) => [
      '-d',
      `udp.port==${p},sip`,
      '-d',
      `tcp.port==${p},sip`,
    ]),
    ...(decodeAs.diameter ?? []).flatMap((p) => ['-d', `tcp.port==${p},diameter`]),
  ];
}

/** The fields read per frame; `_ws.col.Info` last (it gives the order of several messages in one frame). */
export const CAPTURE_FIELDS = [
  'frame.number',
  '_ws.expert.severity',
  '_ws.malformed',
  'sip.Method',
  'sip.Status-Code',
  'diameter.cmd.code',
  'diameter.flags.request',
  'diameter.Result-Code',
  'diameter.Experimental-Result-Code',
  'diameter.hopbyhopid',
  'diameter.User-Name',
  'sip.Call-ID',
  'sip.CSeq.seq',
  'sip.Via.sent-by.port',
  'udp.srcport',
  'udp.dstport',
  'tcp.srcport',
  'tcp.dstport',
  'tcp.stream',
  '_ws.col.Info',
] as const;

/** Thrown when tshark's field output cannot be read as the messages it reports. */
export class CaptureDecodeError extends Error {
  constructor(
    message: string,
    readonly frame?: number,
  ) {
    super(frame === undefined ? message : `frame ${frame}: ${message}`);
    this.name = 'CaptureDecodeError';
  }
}

/** Runs `tshark -r <file> -T fields` and returns one typed entry per frame. */
export function readCapture(file: string, decodeAs: DecodeAs): CapturedFrame[] {
  const out = execFileSync(
    TSHARK,
    [
      '-r',
      file,
      ...decodeAsArgs(decodeAs),
      '-T',
      'fields',
      '-E',
      'aggregator=,',
      ...CAPTURE_FIELDS.flatMap((f) => ['-e', f]),
    ],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return out
    .split('\n')
    .filter((l) => l.trim())
    .map(parseFrameLine);
}

/** `tshark -r <file> -V`, optionally only for some frames (for a failure message). */
export function verboseDecode(file: string, decodeAs: DecodeAs, frames?: number[]): string {
  const filter = frames?.length ? ['-Y', frames.map((n) => `frame.number==${n}`).join(' || ')] : [];
  return execFileSync(TSHARK, ['-r', file, ...decodeAsArgs(decodeAs), '-V', ...filter], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function list(value: string | undefined): string[] {
  return value ? value.split(',') : [];
}

function numbers(value: string | undefined): number[] {
  return list(value).map((v) => Number(v));
}

/** Parses one `-T fields` line (tab-separated, in CAPTURE_FIELDS order). */
export function parseFrameLine(line: string): CapturedFrame {
  const cols = line.split('\t');
  const f = Object.fromEntries(
    CAPTURE_FIELDS.map((name, i) => [
      name,
      i === CAPTURE_FIELDS.length - 1 ? cols.slice(i).join('\t') : cols[i],
    ]),
  ) as Record<(typeof CAPTURE_FIELDS)[number], string | undefined>;
  const number = Number(f['frame.number']);
  const udp = !!f['udp.srcport'];
  const frame: CapturedFrame = {
    number,
    transport: udp ? 'udp' : f['tcp.srcport'] ? 'tcp' : undefined,
    srcPort: Number((udp ? f['udp.srcport'] : f['tcp.srcport']) ?? 0),
    dstPort: Number((udp ? f['udp.dstport'] : f['tcp.dstport']) ?? 0),
    tcpStream: f['tcp.stream'] ? Number(f['tcp.stream']) : undefined,
    severities: numbers(f['_ws.expert.severity']),
    malformed: !!f['_ws.malformed'],
    sip: [],
    diameter: [],
  };
  const info = f['_ws.col.Info'] ?? '';
  frame.sip = parseSip(frame.number, f, info);
  frame.diameter = parseDiameter(frame.number, f);
  return frame;
}

function parseSip(
  frame: number,
  f: Record<string, string | undefined>,
  info: string,
): CapturedSipMessage[] {
  const methods = list(f['sip.Method']);
  const statuses = numbers(f['sip.Status-Code']);
  const callIds = list(f['sip.Call-ID']);
  const cseqs = numbers(f['sip.CSeq.seq']);
  if (!methods.length && !statuses.length) return [];
  // The Info column lists the messages of the frame in order ("Request: REGISTER ... |
  // Status: 401 Unauthorized | "); the fields give their values per kind.
  const order = [...info.matchAll(/(?:Request: (\S+)|Status: (\d{3}))/g)].map((m) =>
    m[1] !== undefined ? 'request' : 'response',
  );
  const requests = order.filter((k) => k === 'request').length;
  if (requests !== methods.length || order.length - requests !== statuses.length)
    throw new CaptureDecodeError(
      `SIP Info "${info}" does not match methods [${methods}] and status codes [${statuses}]`,
      frame,
    );
  if (callIds.length !== order.length || cseqs.length !== order.length)
    throw new CaptureDecodeError(
      `${order.length} SIP messages but Call-IDs [${callIds}] and CSeqs [${cseqs}]`,
      frame,
    );
  let r = 0;
  let s = 0;
  const topVia = numbers(f['sip.Via.sent-by.port'])[0];
  return order.map((kind, i) => {
    const message: CapturedSipMessage =
      kind === 'request'
        ? { frame, summary: methods[r], method: methods[r++], callId: '', cseq: 0 }
        : { frame, summary: String(statuses[s]), status: statuses[s++], callId: '', cseq: 0 };
    message.callId = callIds[i];
    message.cseq = cseqs[i];
    if (order.length === 1 && topVia) message.topViaPort = topVia;
    return message;
  });
}

function parseDiameter(
  frame: number,
  f: Record<string, string | undefined>,
): CapturedDiameterMessage[] {
  const codes = numbers(f['diameter.cmd.code']);
  const flags = list(f['diameter.flags.request']);
  const hopByHop = numbers(f['diameter.hopbyhopid']);
  const results = numbers(f['diameter.Result-Code']);
  const experimental = numbers(f['diameter.Experimental-Result-Code']);
  const userNames = list(f['diameter.User-Name']);
  const messages = codes.map((commandCode, i): CapturedDiameterMessage => ({
    frame,
    commandCode,
    request: flags[i] === '1' || flags[i] === 'True',
    hopByHop: hopByHop[i],
  }));
  const answers = messages.filter((m) => !m.request);
  if (answers.length === 1) {
    answers[0].resultCode = results[0];
    answers[0].experimentalResultCode = experimental[0];
  } else if (answers.length > 1) {
    // Several answers in one frame: each carries exactly one of the two AVPs; the values can
    // be matched to answers only when they are all of one kind.
    if (
      results.length + experimental.length !== answers.length ||
      (results.length && experimental.length)
    )
      throw new CaptureDecodeError(
        `${answers.length} Diameter answers with Result-Codes [${results}] and ` +
          `Experimental-Result-Codes [${experimental}] cannot be matched`,
        frame,
      );
    answers.forEach((a, i) => {
      if (results.length) a.resultCode = results[i];
      else a.experimentalResultCode = experimental[i];
    });
  }
  if (messages.length === 1 && userNames.length === 1) messages[0].userName = userNames[0];
  return messages;
}
