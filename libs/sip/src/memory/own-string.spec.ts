import { ownBuffer, ownString, ownStrings, StringInterner } from './own-string';
import { keptStringTypes } from './kept-string-types';

describe('ownString', () => {
  it('returns an equal string', () => {
    const text = 'REGISTER sip:ims.example.net SIP/2.0\r\nTo: <sip:alice@ims.example.net>\r\n';
    const slice = text.slice(42, 68);
    expect(ownString(slice)).toBe(slice);
    expect(ownString('short')).toBe('short');
    expect(ownString(undefined)).toBeUndefined();
    expect(ownString('sip:ü-ser@exämple.net;ü=ß')).toBe('sip:ü-ser@exämple.net;ü=ß');
    expect(ownStrings([slice, 'a'])).toEqual([slice, 'a']);
  });

  it('keeps no reference to the text a value was cut from (V8 heap snapshot)', () => {
    const text =
      'REGISTER sip:ims.example.net SIP/2.0\r\n' + 'x'.repeat(2000) + ' sip:alice@ims.example.net';
    const at = text.indexOf('sip:alice');
    const unique = `k${Date.now()}${Math.random().toString(36).slice(2)}`;
    const holder: Record<string, string> = {
      [`${unique}sliced`]: text.slice(at, at + 25),
      [`${unique}owned`]: ownString(text.slice(at, at + 25)),
    };
    // The control shows the check can fail: a plain slice points into the whole text.
    expect(keptStringTypes(holder)).toEqual({
      [`${unique}sliced`]: 'sliced string',
      [`${unique}owned`]: 'string',
    });
  });
});

describe('StringInterner', () => {
  it('returns one copy per distinct value, up to its bound', () => {
    const i = new StringInterner(2);
    const a1 = i.intern('<sip:orig@scscf.example.net:5060;lr>'.slice(0));
    const a2 = i.intern(['<sip:orig@scscf', '.example.net:5060;lr>'].join(''));
    expect(a2).toBe(a1);
    i.intern('<sip:other-1@example.net>');
    i.intern('<sip:other-2@example.net>');
    expect(i.size).toBe(2);
    expect(i.intern('<sip:other-2@example.net>')).toBe('<sip:other-2@example.net>');
  });
});

describe('ownBuffer', () => {
  it('copies a pooled slice into memory of its own, same bytes', () => {
    const pooled = Buffer.from('SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n');
    // Small Buffer.from() allocations are slices of Node's shared pool.
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    const own = ownBuffer(pooled);
    expect(own.equals(pooled)).toBe(true);
    expect(own.buffer).not.toBe(pooled.buffer);
    expect(own.buffer.byteLength).toBe(pooled.length);
    expect(own.byteOffset).toBe(0);
  });

  it('returns a buffer that already owns its memory as it is', () => {
    const whole = Buffer.allocUnsafeSlow(64).fill(1);
    expect(ownBuffer(whole)).toBe(whole);
    const slice = whole.subarray(8, 16);
    expect(ownBuffer(slice).buffer.byteLength).toBe(8);
  });
});
