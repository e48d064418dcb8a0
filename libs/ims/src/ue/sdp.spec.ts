import { createSdpAnswer, createSdpOffer, parseSdp } from './sdp';

describe('minimal SDP offer/answer (RFC 4566, RFC 3264)', () => {
  it('offers PCMU audio at the given address, IPv4 and IPv6', () => {
    const offer = createSdpOffer({
      address: '127.0.0.1',
      port: 40000,
      sessionId: '42',
      version: 3,
    });
    expect(offer.split('\r\n')).toEqual([
      'v=0',
      'o=- 42 3 IN IP4 127.0.0.1',
      's=-',
      'c=IN IP4 127.0.0.1',
      't=0 0',
      'm=audio 40000 RTP/AVP 0',
      'a=rtpmap:0 PCMU/8000',
      'a=ptime:20',
      'a=sendrecv',
      '',
    ]);
    const v6 = parseSdp(createSdpOffer({ address: '::1' }));
    expect(v6.address).toBe('::1');
    expect(v6.media[0]).toMatchObject({
      type: 'audio',
      port: 49170,
      formats: ['0'],
      address: '::1',
    });
  });

  it('answers each m= line: PCMU accepted with the mirrored direction, other streams port 0 (§6)', () => {
    const offer = [
      'v=0',
      'o=alice 2890844526 2890844526 IN IP4 host.atlanta.example.com',
      's=',
      'c=IN IP4 host.atlanta.example.com',
      't=0 0',
      'm=audio 49170 RTP/AVP 0 8 97',
      'a=rtpmap:0 PCMU/8000',
      'a=sendonly',
      'm=video 51372 RTP/AVP 31 32',
      '',
    ].join('\r\n');
    const answer = parseSdp(createSdpAnswer(offer, { address: '192.0.2.1', port: 40002 }));
    expect(answer.media).toHaveLength(2);
    expect(answer.media[0]).toMatchObject({ port: 40002, formats: ['0'], direction: 'recvonly' });
    expect(answer.media[1]).toMatchObject({ type: 'video', port: 0 });
    // No PCMU offered: the audio stream is rejected too.
    const g729 = offer.replace('RTP/AVP 0 8 97', 'RTP/AVP 18');
    expect(parseSdp(createSdpAnswer(g729, { address: '192.0.2.1' })).media[0].port).toBe(0);
  });

  it('refuses what is not SDP, naming the line', () => {
    expect(() => parseSdp('hello')).toThrow(/v=0/);
    expect(() => parseSdp('v=0\r\no=- x\r\n')).toThrow(/malformed o=/);
    expect(() => parseSdp('v=0\r\no=- 1 1 IN IP4 h\r\nm=audio x RTP/AVP 0\r\n')).toThrow(
      /malformed m=/,
    );
  });
});
