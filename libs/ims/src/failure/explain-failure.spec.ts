import { SipRequest, parseMessage, unquote } from '@lib/sip';
import {
  FAILURE_CAUSES,
  FailureCause,
  FailureExplainer,
  failureText,
  reasonValue,
  warningValue,
} from './index';

const REGISTER = [
  'REGISTER sip:ims.test SIP/2.0',
  'Via: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1',
  'Max-Forwards: 70',
  'From: <sip:alice@ims.test>;tag=a1',
  'To: <sip:alice@ims.test>',
  'Call-ID: c1',
  'CSeq: 1 REGISTER',
  'Contact: <sip:alice@127.0.0.1:5062>',
  'Content-Length: 0',
  '',
  '',
].join('\r\n');

describe('failures explain themselves', () => {
  it('has a status and a text for every cause', () => {
    for (const cause of Object.values(FailureCause)) {
      const info = FAILURE_CAUSES[cause];
      expect(info.status).toBeGreaterThanOrEqual(400);
      expect(info.text.length).toBeGreaterThan(0);
    }
    const texts = Object.values(FAILURE_CAUSES).map((i) => i.text);
    expect(new Set(texts).size).toBe(texts.length);
  });

  it('builds the RFC 3261 §20.43 Warning with code 399, the host and a quoted text', () => {
    expect(warningValue('icscf.ims.test', FailureCause.RoamingNotAllowed)).toBe(
      '399 icscf.ims.test "roaming not allowed (Cx 5004)"',
    );
    const w = warningValue('p.ims.test', FailureCause.NotRegistered, 'say "hi" \\ bye');
    const m = /^399 p\.ims\.test (".*")$/.exec(w);
    expect(m).not.toBeNull();
    expect(unquote(m![1])).toBe('not registered: say "hi" \\ bye');
  });

  it('builds the RFC 3326 Reason with the cause status', () => {
    expect(reasonValue(FailureCause.HssUnreachable)).toBe('SIP;cause=480;text="HSS unreachable"');
    expect(reasonValue(FailureCause.HssUnreachable, 503, 'timeout')).toBe(
      'SIP;cause=503;text="HSS unreachable: timeout"',
    );
    expect(failureText(FailureCause.ImpuBarred, '')).toBe('IMPU barred (Cx 5003)');
  });

  it('adds nothing when IMS_EXPLAIN_FAILURES is false', () => {
    expect(
      new FailureExplainer('x', false).headers(FailureCause.ImpuBarred, { reason: true }),
    ).toEqual([]);
    const req = parseMessage(REGISTER) as SipRequest;
    const res = new FailureExplainer('x', false).reject(req, FailureCause.ImpuBarred);
    expect(res.status).toBe(403);
    expect(res.has('Warning')).toBe(false);
  });

  it('rejects a request with the cause status, a To tag, Warning and optional Reason', () => {
    const req = parseMessage(REGISTER) as SipRequest;
    const explainer = new FailureExplainer('icscf.ims.test', true);
    const res = explainer.reject(req, FailureCause.HssUnreachable, {
      reason: true,
      toTag: 't9',
    });
    const parsed = parseMessage(res.toBuffer());
    expect(parsed.isResponse() && parsed.status).toBe(480);
    expect(parsed.to().tag).toBe('t9');
    expect(parsed.callId()).toBe('c1');
    expect(parsed.get('Warning')).toBe('399 icscf.ims.test "HSS unreachable"');
    expect(parsed.get('Reason')).toBe('SIP;cause=480;text="HSS unreachable"');

    const overridden = explainer.reject(req, FailureCause.UnknownUser, { status: 404 });
    expect(overridden.status).toBe(404);
    expect(overridden.get('Warning')).toContain('unknown user');
  });
});
