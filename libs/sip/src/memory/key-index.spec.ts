import { KeyIndex } from './key-index';

describe('KeyIndex', () => {
  const a = { n: 'a' };
  const b = { n: 'b' };
  const c = { n: 'c' };

  it('files values under a key, one or many, and removes them', () => {
    const i = new KeyIndex<{ n: string }>();
    expect(i.get('k')).toEqual([]);
    expect(i.first('k')).toBeUndefined();
    i.add('k', a);
    i.add('k', a);
    expect(i.get('k')).toEqual([a]);
    i.add('k', b);
    i.add('k', c);
    expect(i.get('k')).toEqual([a, b, c]);
    expect(i.first('k')).toBe(a);
    expect(i.delete('k', b)).toBe(true);
    expect(i.delete('k', b)).toBe(false);
    expect(i.get('k')).toEqual([a, c]);
    expect(i.delete('k', a)).toBe(true);
    expect(i.get('k')).toEqual([c]);
    expect(i.delete('other', c)).toBe(false);
    expect(i.delete('k', a)).toBe(false);
    expect(i.delete('k', c)).toBe(true);
    expect(i.has('k')).toBe(false);
    expect(i.size).toBe(0);
  });

  it('hands out a copy: changing the index while going through it is safe', () => {
    const i = new KeyIndex<{ n: string }>();
    i.add('k', a);
    i.add('k', b);
    for (const v of i.get('k')) i.delete('k', v);
    expect(i.size).toBe(0);
  });

  it('keeps keys apart', () => {
    const i = new KeyIndex<{ n: string }>();
    i.add('x', a);
    i.add('y', b);
    expect(i.get('x')).toEqual([a]);
    expect(i.get('y')).toEqual([b]);
    i.add('y', c);
    i.add('z', a, true);
    expect(i.get('z')).toEqual([a]);
    expect([...i.values()]).toEqual([a, b, c, a]);
    i.clear();
    expect(i.size).toBe(0);
  });
});
