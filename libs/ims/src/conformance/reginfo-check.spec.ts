import { checkReginfo } from './reginfo-check';

const doc = (inner: string, attrs = 'version="0" state="full"') =>
  `<?xml version="1.0"?><reginfo xmlns="urn:ietf:params:xml:ns:reginfo" ${attrs}>${inner}</reginfo>`;
const reg = (contact: string) =>
  `<registration aor="sip:alice@example.com" id="a7" state="active">${contact}</registration>`;
const contact =
  '<contact id="76" state="active" event="registered"><uri>sip:alice@192.0.2.1</uri></contact>';

describe('reginfo conformance reader (RFC 3680 §5)', () => {
  it('reads the RFC 3680 §5.3-style document', () => {
    const r = checkReginfo(doc(reg(contact)));
    expect(r).toEqual({
      ok: true,
      reginfo: {
        version: 0,
        state: 'full',
        registrations: [
          {
            aor: 'sip:alice@example.com',
            state: 'active',
            contacts: [{ uri: 'sip:alice@192.0.2.1', state: 'active', event: 'registered' }],
          },
        ],
      },
    });
  });

  it('accepts a prefixed namespace', () => {
    const text =
      '<r:reginfo xmlns:r="urn:ietf:params:xml:ns:reginfo" version="3" state="partial"/>';
    expect(checkReginfo(text)).toMatchObject({
      ok: true,
      reginfo: { version: 3, state: 'partial' },
    });
  });

  it.each([
    ['<reginfo', /not well-formed/],
    ['<presence xmlns="urn:ietf:params:xml:ns:reginfo"/>', /not <reginfo>/],
    ['<reginfo xmlns="urn:x" version="0" state="full"/>', /namespace/],
    [doc('', 'state="full"'), /no numeric version/],
    [doc('', 'version="0" state="some"'), /not full or partial/],
    [doc('<registration aor="sip:a@b" state="active"/>'), /lacks aor or id/],
    [doc('<registration aor="sip:a@b" id="1" state="gone"/>'), /has state "gone"/],
    [doc(reg('<contact id="1" state="active" event="registered"/>')), /lacks its <uri>/],
    [
      doc(reg('<contact id="1" state="active" event="bored"><uri>sip:x@y</uri></contact>')),
      /event "bored"/,
    ],
  ])('reports %s', (text, message) => {
    const r = checkReginfo(text);
    expect(r.ok).toBe(false);
    expect(r.ok ? '' : r.error).toMatch(message);
  });
});
