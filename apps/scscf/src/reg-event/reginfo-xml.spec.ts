import { childElements, parseXml, textContent } from '@lib/ims';
import { buildReginfoXml, REGINFO_NS } from './reginfo-xml';

describe('reginfo document (RFC 3680 §5.3)', () => {
  it('serialises registrations and contacts that an XML parser reads back', () => {
    const xml = buildReginfoXml({
      version: 7,
      state: 'full',
      registrations: [
        {
          aor: 'sip:alice@ims.test',
          id: 'r1',
          state: 'active',
          contacts: [
            {
              id: 'c1',
              state: 'active',
              event: 'refreshed',
              expires: 600,
              uri: 'sip:a@127.0.0.1:5062',
            },
            {
              id: 'c2',
              state: 'terminated',
              event: 'expired',
              uri: 'sip:a@[::1]:5062;transport=tcp',
            },
          ],
        },
        { aor: 'tel:+1&2<3>', id: 'r2', state: 'terminated', contacts: [] },
      ],
    });
    const root = parseXml(xml);
    expect(root.name).toBe('reginfo');
    expect(root.attributes).toEqual({ xmlns: REGINFO_NS, version: '7', state: 'full' });
    const [r1, r2] = childElements(root, 'registration');
    expect(r1.attributes).toEqual({ aor: 'sip:alice@ims.test', id: 'r1', state: 'active' });
    const contacts = childElements(r1, 'contact');
    expect(contacts.map((c) => c.attributes)).toEqual([
      { id: 'c1', state: 'active', event: 'refreshed', expires: '600' },
      { id: 'c2', state: 'terminated', event: 'expired' },
    ]);
    expect(textContent(childElements(contacts[1], 'uri')[0])).toBe(
      'sip:a@[::1]:5062;transport=tcp',
    );
    expect(r2.attributes.aor).toBe('tel:+1&2<3>');
    expect(childElements(r2)).toEqual([]);
  });
});
