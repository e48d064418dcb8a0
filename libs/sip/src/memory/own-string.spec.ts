import { writeHeapSnapshot } from 'node:v8';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ownBuffer, ownString, ownStrings, StringInterner } from './own-string';

/**
 * The V8 heap-snapshot node type of each string kept in `holder` ("string" when flat and
 * owned, "sliced string" when it points into a bigger text, "concatenated string").
 */
function keptStringTypes(holder: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'own-string-')), 'h.heapsnapshot');
  writeHeapSnapshot(file);
  const snap = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[]]; edge_fields: string[] } };
    nodes: number[];
    edges: number[];
    strings: string[];
  };
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
  const { node_fields: nf, node_types: nt, edge_fields: ef } = snap.snapshot.meta;
  const [F, E] = [nf.length, ef.length];
  const [ti, ec] = [nf.indexOf('type'), nf.indexOf('edge_count')];
  const [en, to] = [ef.indexOf('name_or_index'), ef.indexOf('to_node')];
  for (let i = 0, e = 0; i < snap.nodes.length; i += F) {
    for (let k = 0; k < snap.nodes[i + ec]; k++, e += E) {
      const key = snap.strings[snap.edges[e + en]];
      if (Object.hasOwn(holder, key)) out[key] = nt[0][snap.nodes[snap.edges[e + to] + ti]];
    }
  }
  return out;
}

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
