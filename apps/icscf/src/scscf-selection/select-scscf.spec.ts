import { parseScscfSet, sameServer, selectScscfs } from './index';

describe('ICSCF_SCSCFS', () => {
  it('parses uri|cap;cap entries, capabilities optional', () => {
    expect(parseScscfSet('sip:s1.ims.test:6060|1;2, sip:s2.ims.test;transport=tcp')).toEqual([
      { uri: 'sip:s1.ims.test:6060', capabilities: [1, 2] },
      { uri: 'sip:s2.ims.test;transport=tcp', capabilities: [] },
    ]);
  });

  it.each([
    ['s1.ims.test|1', /must be a sip: URI/],
    ['sip:s1|x', /must be an Unsigned32/],
    ['sip:s1|1|2', /must be uri\|cap1;cap2/],
    [' , ', /at least one/],
  ])('rejects %s', (raw, message) => {
    expect(() => parseScscfSet(raw)).toThrow(message);
  });
});

describe('S-CSCF selection by capabilities (TS 29.228 §6.1.1, Annex A)', () => {
  const set = parseScscfSet(
    'sip:a.test:6060|1,sip:b.test:6060|1;2;3,sip:c.test:6060|2;3,sip:d.test:6060|1;3',
  );
  const uris = (l: { uri: string }[]) => l.map((s) => s.uri);

  it('keeps every configured S-CSCF when the HSS sends no capabilities', () => {
    expect(uris(selectScscfs(set, undefined))).toEqual(uris(set));
  });

  it('requires all mandatory capabilities and ranks by optional ones', () => {
    const picked = selectScscfs(set, { mandatory: [1], optional: [3], serverNames: [] });
    expect(uris(picked)).toEqual(['sip:b.test:6060', 'sip:d.test:6060', 'sip:a.test:6060']);
  });

  it('prefers, among equals, an S-CSCF the HSS named', () => {
    const picked = selectScscfs(set, {
      mandatory: [1],
      optional: [],
      serverNames: ['sip:D.test:6060'],
    });
    expect(uris(picked)[0]).toBe('sip:d.test:6060');
  });

  it('excludes S-CSCFs already tried and returns none when nothing fits', () => {
    expect(
      uris(
        selectScscfs(set, { mandatory: [2], optional: [], serverNames: [] }, ['sip:b.test:6060']),
      ),
    ).toEqual(['sip:c.test:6060']);
    expect(selectScscfs(set, { mandatory: [9], optional: [], serverNames: [] })).toEqual([]);
  });

  it('compares Server-Names as URIs', () => {
    expect(sameServer('sip:S.test:6060', 'sip:s.test:6060')).toBe(true);
    expect(sameServer('sip:s.test:6060', 'sip:s.test:6061')).toBe(false);
  });
});
