/**
 * SIP codec benchmarks (`npm run bench -- sip-codec`): microseconds per message to parse a
 * datagram, read what a proxy reads (top Via, CSeq, Call-ID, Max-Forwards, From tag) and
 * serialize it again, for three messages an IMS core handles all the time:
 *  - a UE's REGISTER with Authorization, Path, Supported, Security-Client, a Contact with
 *    feature-tag parameters (TS 24.229 §5.1.1.2);
 *  - an INVITE with an SDP offer;
 *  - a 200 OK to an INVITE with a four-entry Record-Route set.
 * Each message has two rows: forwarded untouched, and rewritten as a proxy does (RFC 3261
 * §16.6: push a Via, decrement Max-Forwards, pop the top Route / add a Record-Route) - the
 * rewritten header section is serialized line by line, untouched lines copied verbatim.
 * Single thread, no I/O.
 */
import * as os from 'node:os';
import { parseMessage, SipMessage, SipRequest } from '@lib/sip';
import { BenchRow, BenchSuite, median, timeMicros } from './bench-row';

const CRLF = '\r\n';
const DOMAIN = 'ims.mnc001.mcc001.3gppnetwork.org';

const REGISTER = Buffer.from(
  [
    `REGISTER sip:${DOMAIN} SIP/2.0`,
    'Via: SIP/2.0/UDP 10.45.0.2:5060;branch=z9hG4bK1701542196;rport',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKpcscf.3b1f;received=127.0.0.1',
    'Path: <sip:term@pcscf.ims.mnc001.mcc001.3gppnetwork.org:5060;lr>',
    'Max-Forwards: 69',
    `From: <sip:001010000000001@${DOMAIN}>;tag=1822914566`,
    `To: <sip:001010000000001@${DOMAIN}>`,
    'Call-ID: 1701542196-10.45.0.2',
    'CSeq: 2 REGISTER',
    'Contact: <sip:001010000000001@10.45.0.2:5060;transport=udp>;expires=600;+sip.instance="<urn:gsma:imei:35209900-176148-0>";+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel";+g.3gpp.smsip',
    `Authorization: Digest username="001010000000001@${DOMAIN}",realm="${DOMAIN}",uri="sip:${DOMAIN}",nonce="CjPk9mRqNuT25eRkajM09uTl9nM09uTl9nMz5OX25PZz==",response="6629fae49393a05397450978507c4ef1",algorithm=AKAv1-MD5,cnonce="0a4f113b",qop=auth,nc=00000001`,
    'Supported: path, gruu, sec-agree',
    'Require: sec-agree',
    'Proxy-Require: sec-agree',
    'Security-Verify: ipsec-3gpp;q=0.1;alg=hmac-sha-1-96;spi-c=3929102;spi-s=2331012;port-c=5062;port-s=5064',
    'Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, NOTIFY, REFER, INFO',
    'P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B',
    'P-Visited-Network-ID: "ims.mnc001.mcc001.3gppnetwork.org"',
    'P-Charging-Vector: icid-value="AyretyU0dm+6O2IrT5tAFrbHLso=023551024"',
    'User-Agent: IMS-UE/1.0',
    'Expires: 600',
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF),
);

const SDP = [
  'v=0',
  'o=- 3847109231 3847109231 IN IP4 10.45.0.2',
  's=-',
  'c=IN IP4 10.45.0.2',
  't=0 0',
  'm=audio 40000 RTP/AVP 116 118 97 111 110 8 0 101',
  'b=AS:41',
  'a=rtpmap:116 AMR-WB/16000/1',
  'a=fmtp:116 mode-change-capability=2;max-red=0',
  'a=rtpmap:118 AMR/8000/1',
  'a=rtpmap:101 telephone-event/8000',
  'a=ptime:20',
  'a=maxptime:240',
  'a=curr:qos local none',
  'a=des:qos mandatory local sendrecv',
  'a=sendrecv',
  '',
].join(CRLF);

const INVITE = Buffer.from(
  [
    `INVITE tel:+15550002;phone-context=${DOMAIN} SIP/2.0`,
    'Via: SIP/2.0/UDP 10.45.0.2:5060;branch=z9hG4bK3985741;rport',
    'Max-Forwards: 70',
    'Route: <sip:orig@pcscf.ims.mnc001.mcc001.3gppnetwork.org:5060;lr>',
    'Route: <sip:orig@scscf.ims.mnc001.mcc001.3gppnetwork.org:6060;lr>',
    `From: <sip:+15550001@${DOMAIN}>;tag=3985741`,
    `To: <tel:+15550002;phone-context=${DOMAIN}>`,
    'Call-ID: 3985741@10.45.0.2',
    'CSeq: 1 INVITE',
    'Contact: <sip:001010000000001@10.45.0.2:5060>;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    `P-Preferred-Identity: <sip:+15550001@${DOMAIN}>`,
    'P-Access-Network-Info: 3GPP-E-UTRAN-FDD; utran-cell-id-3gpp=001010001000019B',
    'Accept-Contact: *;+g.3gpp.icsi-ref="urn%3Aurn-7%3A3gpp-service.ims.icsi.mmtel"',
    'Supported: 100rel, timer, precondition',
    'Allow: INVITE, ACK, CANCEL, BYE, PRACK, UPDATE, MESSAGE, OPTIONS, REFER',
    'Session-Expires: 1800',
    'Content-Type: application/sdp',
    `Content-Length: ${Buffer.byteLength(SDP)}`,
    '',
    SDP,
  ].join(CRLF),
);

const OK = Buffer.from(
  [
    'SIP/2.0 200 OK',
    'Via: SIP/2.0/UDP 127.0.0.1:6060;branch=z9hG4bKscscf.77a1',
    'Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKpcscf.51c2',
    'Via: SIP/2.0/UDP 10.45.0.2:5060;branch=z9hG4bK3985741;rport=5060;received=10.45.0.2',
    'Record-Route: <sip:mt@pcscf.ims.mnc001.mcc001.3gppnetwork.org:5060;lr>',
    'Record-Route: <sip:mt@scscf.ims.mnc001.mcc001.3gppnetwork.org:6060;lr>',
    'Record-Route: <sip:mo@scscf.ims.mnc001.mcc001.3gppnetwork.org:6060;lr>',
    'Record-Route: <sip:mo@pcscf.ims.mnc001.mcc001.3gppnetwork.org:5060;lr>',
    `From: <sip:+15550001@${DOMAIN}>;tag=3985741`,
    `To: <tel:+15550002;phone-context=${DOMAIN}>;tag=a6c85cf`,
    'Call-ID: 3985741@10.45.0.2',
    'CSeq: 1 INVITE',
    'Contact: <sip:001010000000002@10.45.0.3:5060>',
    `P-Asserted-Identity: <sip:+15550002@${DOMAIN}>`,
    'Content-Length: 0',
    '',
    '',
  ].join(CRLF),
);

const ITERATIONS = Number(process.env.SIP_BENCH_ITERATIONS ?? 50_000);
const RUNS = 7;

/** What every proxy reads before deciding anything (RFC 3261 §16.3, §17.2.3). */
function touch(m: SipMessage): void {
  const via = m.topVia();
  const cseq = m.cseq();
  const callId = m.callId();
  const mf = m.maxForwards();
  const tag = m.from().tag;
  if (
    !via.branch ||
    !cseq.method ||
    !callId ||
    !tag ||
    (m.isRequest() && mf === undefined && cseq.seq < 0)
  )
    throw new Error('benchmark message lost a field');
}

/** RFC 3261 §16.6 steps 3, 6 (loose routing), 4 and 8, in miniature. */
function proxyRewrite(m: SipMessage): void {
  if (m.isRequest()) {
    const req = m as SipRequest;
    const mf = req.maxForwards();
    req.set('Max-Forwards', String((mf ?? 70) - 1));
    if (req.has('Route')) req.removeFirst('Route');
    else req.prepend('Path', '<sip:term@pcscf.ims.mnc001.mcc001.3gppnetwork.org:5060;lr>');
    req.prepend('Via', 'SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKbench.1');
  } else {
    m.removeFirst('Via');
  }
}

function row(name: string, data: Buffer, rewrite: boolean, note: string): BenchRow {
  const op = rewrite
    ? () => {
        const m = parseMessage(data);
        touch(m);
        proxyRewrite(m);
        m.toBuffer();
      }
    : () => {
        const m = parseMessage(data);
        touch(m);
        m.toBuffer();
      };
  const runs = timeMicros(op, ITERATIONS, RUNS);
  // Wall-clock figures: on a shared machine other processes inflate them; say how busy it was.
  const load = os.loadavg()[0].toFixed(1);
  return {
    name,
    value: median(runs),
    unit: 'µs/msg',
    runs,
    command: 'npm run bench -- sip-codec',
    // The spread says how much of the figure is the machine: on a shared VM the runs of one
    // process differ by up to 1.8x while the code is the same.
    note: `${data.length} B; ${note}; ${ITERATIONS} messages per run, median of ${RUNS} (runs ${Math.min(...runs).toFixed(1)}-${Math.max(...runs).toFixed(1)}); load average ${load} on ${os.cpus().length} cores`,
  };
}

export const suite: BenchSuite = {
  id: 'sip-codec',
  async run(): Promise<BenchRow[]> {
    return [
      row(
        'SIP parse+touch+serialize IMS REGISTER',
        REGISTER,
        false,
        'forwarded untouched (target < 10 µs)',
      ),
      row(
        'SIP parse+touch+rewrite+serialize IMS REGISTER',
        REGISTER,
        true,
        'Via pushed, Max-Forwards-1, Path added',
      ),
      row('SIP parse+touch+serialize INVITE with SDP', INVITE, false, 'forwarded untouched'),
      row(
        'SIP parse+touch+rewrite+serialize INVITE with SDP',
        INVITE,
        true,
        'Via pushed, Max-Forwards-1, Route popped',
      ),
      row('SIP parse+touch+serialize 200 OK with Record-Route', OK, false, 'forwarded untouched'),
      row('SIP parse+touch+rewrite+serialize 200 OK with Record-Route', OK, true, 'top Via popped'),
    ];
  },
};

/** The benchmark messages, for profiling outside the harness. */
export const MESSAGES = { REGISTER, INVITE, OK };
