import { parseReginfo } from './reginfo';

describe('RFC 3680 reginfo', () => {
  it('reads registrations and contacts (namespaced or not)', () => {
    const doc = `<?xml version="1.0"?>
<reginfo xmlns="urn:ietf:params:xml:ns:reginfo" version="3" state="full">
  <registration aor="sip:alice@ims.test" id="a1" state="terminated">
    <contact id="c1" state="terminated" event="expired"><uri>sip:alice@10.0.0.1:5060</uri></contact>
  </registration>
  <r:registration xmlns:r="urn:ietf:params:xml:ns:reginfo" aor="tel:+1555" id="a2" state="active"/>
</reginfo>`;
    expect(parseReginfo(doc)).toEqual({
      version: 3,
      state: 'full',
      registrations: [
        {
          aor: 'sip:alice@ims.test',
          state: 'terminated',
          contacts: [{ uri: 'sip:alice@10.0.0.1:5060', state: 'terminated', event: 'expired' }],
        },
        { aor: 'tel:+1555', state: 'active', contacts: [] },
      ],
    });
  });

  it('refuses what is not reginfo', () => {
    expect(() => parseReginfo('<presence/>')).toThrow(/expected <reginfo>/);
    expect(() => parseReginfo('<reginfo>')).toThrow();
  });
});
