import { SipResponse, createRequest, createResponse } from '@lib/sip';
import { stripKeys } from './register-response';

function challenge(values: string[]): SipResponse {
  const req = createRequest({
    method: 'REGISTER',
    uri: 'sip:ims.test',
    headers: [
      ['Via', 'SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK-1'],
      ['From', '<sip:alice@ims.test>;tag=1'],
      ['To', '<sip:alice@ims.test>'],
      ['Call-ID', 'c'],
      ['CSeq', '1 REGISTER'],
    ],
  });
  const res = createResponse(req, 401, undefined, { toTag: 't' });
  for (const v of values) res.append('WWW-Authenticate', v);
  return res;
}

describe('TS 24.229 §5.2.2.1: ck and ik never reach the UE', () => {
  it('removes ck/ik from every challenge and keeps the other parameters', () => {
    const res = challenge([
      'Digest realm="ims.test", nonce="abc=", algorithm=AKAv1-MD5, qop="auth", ck="00ff", ik="ff00"',
      'Digest realm="ims.test", nonce="def", algorithm=MD5, qop="auth"',
    ]);
    stripKeys(res);
    const text = res.toBuffer().toString();
    expect(text).not.toMatch(/\b(ck|ik)=/);
    const [aka, md5] = res.wwwAuthenticates();
    expect([...aka.params.keys()]).toEqual(['realm', 'nonce', 'algorithm', 'qop']);
    expect(aka.params.get('nonce')).toBe('abc=');
    expect(md5.params.get('algorithm')).toBe('MD5');
  });
});
