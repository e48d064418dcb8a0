import { resolveTarget, SipResolveError } from './resolve-target';

describe('resolveTarget (RFC 3263 simplified: IP literals and a host map, no DNS)', () => {
  it('uses an IPv4 literal with the URI port, UDP by default', () => {
    expect(resolveTarget('sip:bob@192.0.2.10:5070')).toEqual({
      host: '192.0.2.10',
      port: 5070,
      transport: 'UDP',
    });
  });

  it('defaults the port to 5060 and strips IPv6 brackets', () => {
    expect(resolveTarget('sip:[::1]')).toEqual({ host: '::1', port: 5060, transport: 'UDP' });
  });

  it('honours transport=tcp and maddr', () => {
    expect(resolveTarget('sip:bob@example.com:6060;transport=tcp;maddr=127.0.0.1')).toEqual({
      host: '127.0.0.1',
      port: 6060,
      transport: 'TCP',
    });
  });

  it('maps host names through the host map; an exact host:port entry wins', () => {
    const hostMap = {
      'scscf.ims.example': { host: '127.0.0.1', port: 6060 },
      'icscf.ims.example:4061': { host: '127.0.0.2', port: 4060, transport: 'TCP' as const },
    };
    expect(resolveTarget('sip:scscf.ims.example', { hostMap })).toEqual({
      host: '127.0.0.1',
      port: 6060,
      transport: 'UDP',
    });
    expect(resolveTarget('sip:SCSCF.ims.example:7000', { hostMap })).toEqual({
      host: '127.0.0.1',
      port: 7000,
      transport: 'UDP',
    });
    expect(resolveTarget('sip:icscf.ims.example:4061', { hostMap })).toEqual({
      host: '127.0.0.2',
      port: 4060,
      transport: 'TCP',
    });
  });

  it('rejects what it cannot route with a typed error and the status a proxy should use', () => {
    const cases: [string, number][] = [
      ['sip:unknown.example', 503],
      ['tel:+15551230001', 416],
      ['sips:bob@127.0.0.1', 416],
      ['sip:bob@127.0.0.1;transport=sctp', 503],
    ];
    for (const [uri, status] of cases) {
      let error: unknown;
      try {
        resolveTarget(uri);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(SipResolveError);
      expect((error as SipResolveError).statusCode).toBe(status);
    }
  });
});
