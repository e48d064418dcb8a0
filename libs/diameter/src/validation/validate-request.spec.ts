import { Avp } from '../codec/avp';
import { DiameterMessage, decodeMessage, encodeMessage } from '../codec/diameter-message';
import { avp, rawAvp } from '../codec/message-builder';
import { buildMar } from '../cx/mar';
import { ResultCode } from '../dictionary/result-codes';
import { createErrorAnswer, validateRequest } from './validate-request';

const mar = () =>
  buildMar({
    originHost: 'scscf.ims.example',
    originRealm: 'ims.example',
    destinationRealm: 'ims.example',
    userName: 'alice@ims.example',
    publicIdentity: 'sip:alice@ims.example',
    serverName: 'sip:scscf.ims.example:6060',
    numberAuthItems: 1,
    authDataItem: { scheme: 'Digest-AKAv1-MD5' },
  });

function without(msg: DiameterMessage, name: string): DiameterMessage {
  msg.avps = msg.avps.filter((a) => a.name !== name);
  return msg;
}

describe('validateRequest against the command ABNF', () => {
  it('accepts a complete MAR', () => {
    expect(validateRequest(decodeMessage(encodeMessage(mar())))).toBeNull();
  });

  it.each(['Server-Name', 'User-Name', 'SIP-Auth-Data-Item', 'Auth-Session-State', 'Origin-Host'])(
    'answers 5005 DIAMETER_MISSING_AVP when %s is missing, with a zero-filled example in Failed-AVP',
    (name) => {
      const r = validateRequest(without(mar(), name))!;
      expect(r.resultCode).toBe(ResultCode.MISSING_AVP);
      expect(r.failedAvp?.name).toBe(name);
      expect(r.errorMessage).toContain(name);
    },
  );

  it('5005 for a required AVP missing inside a Grouped AVP', () => {
    const m = mar();
    m.avps.push(avp('Supported-Features', { 'Vendor-Id': 10415, 'Feature-List-ID': 1 }));
    const r = validateRequest(m)!;
    expect(r.resultCode).toBe(ResultCode.MISSING_AVP);
    expect(r.failedAvp?.name).toBe('Feature-List');
    expect(r.failedAvp?.data).toEqual(Buffer.alloc(4));
  });

  it('5001 DIAMETER_AVP_UNSUPPORTED for an unknown AVP with the M bit; ignores it without M', () => {
    const unknown = rawAvp(99999, Buffer.from('x'), { vendorId: 10415, mandatory: true });
    const m = mar();
    m.avps.push(unknown);
    expect(validateRequest(m)).toMatchObject({
      resultCode: ResultCode.AVP_UNSUPPORTED,
      failedAvp: unknown,
    });
    const n = mar();
    n.avps.push(rawAvp(99999, Buffer.from('x'), { vendorId: 10415 }));
    expect(validateRequest(n)).toBeNull();
  });

  it('5004 DIAMETER_INVALID_AVP_VALUE for an undefined Enumerated value', () => {
    const m = mar();
    const idx = m.avps.findIndex((a) => a.name === 'Auth-Session-State');
    m.avps[idx] = avp('Auth-Session-State', 7);
    expect(validateRequest(m)).toMatchObject({
      resultCode: ResultCode.INVALID_AVP_VALUE,
      failedAvp: m.avps[idx],
    });
  });

  it('5009 DIAMETER_AVP_OCCURS_TOO_MANY_TIMES for a repeated single AVP', () => {
    const m = mar();
    m.avps.push(avp('Server-Name', 'sip:other'));
    expect(validateRequest(m)?.resultCode).toBe(ResultCode.AVP_OCCURS_TOO_MANY_TIMES);
  });

  it('5008 DIAMETER_AVP_NOT_ALLOWED in a command without *[ AVP ]', () => {
    const dpr = new DiameterMessage({
      commandCode: 282,
      flags: { request: true },
      avps: [avp('Origin-Host', 'a'), avp('Origin-Realm', 'b'), avp('Disconnect-Cause', 0)],
    });
    expect(validateRequest(dpr)).toBeNull();
    const cer = new DiameterMessage({ commandCode: 257, flags: { request: true }, avps: [] });
    expect(validateRequest(cer)?.resultCode).toBe(ResultCode.MISSING_AVP);
  });

  it('3001 DIAMETER_COMMAND_UNSUPPORTED for an unknown command of a supported application', () => {
    const m = new DiameterMessage({
      commandCode: 399,
      applicationId: 16777216,
      flags: { request: true },
    });
    expect(validateRequest(m)?.resultCode).toBe(ResultCode.COMMAND_UNSUPPORTED);
  });

  it('3007 DIAMETER_APPLICATION_UNSUPPORTED for an application the node does not support', () => {
    const m = new DiameterMessage({
      commandCode: 306,
      applicationId: 16777217,
      flags: { request: true },
    });
    expect(validateRequest(m)?.resultCode).toBe(ResultCode.APPLICATION_UNSUPPORTED);
    expect(validateRequest(mar(), { applicationIds: [16777217] })?.resultCode).toBe(
      ResultCode.APPLICATION_UNSUPPORTED,
    );
  });
});

describe('createErrorAnswer (RFC 6733 §7.2)', () => {
  it('sets the E bit for 3xxx protocol errors', () => {
    const req = mar();
    req.hopByHop = 5;
    const a = createErrorAnswer(req, ResultCode.COMMAND_UNSUPPORTED, undefined, {
      originHost: 'hss',
      originRealm: 'ims.example',
      errorMessage: 'no',
    });
    expect(a.flags).toMatchObject({ request: false, error: true });
    expect(a.hopByHop).toBe(5);
    expect(a.resultCode()).toBe(3001);
    expect(a.get('Error-Message')).toBe('no');
    expect(a.avps[0].name).toBe('Session-Id');
  });

  it('carries Failed-AVP for 5xxx and no E bit', () => {
    const failed = new Avp(
      602,
      10415,
      { vendor: true, mandatory: true, protected: false },
      Buffer.alloc(0),
    );
    const a = decodeMessage(
      encodeMessage(createErrorAnswer(mar(), ResultCode.MISSING_AVP, failed)),
    );
    expect(a.flags.error).toBe(false);
    expect(a.resultCode()).toBe(5005);
    expect(a.find('Failed-AVP')!.children[0].name).toBe('Server-Name');
    expect(a.get('Auth-Session-State')).toBe(1);
  });
});
