/**
 * An index from a string key to the values filed under it (a multimap), for stores with one
 * entry per registered user: almost every key has exactly one value, so that value is kept
 * directly and a Set is made only for the second one. A `Map<string, Set<V>>` costs a Set
 * and its hash table (about 150 bytes) per key; here a key with one value costs its map slot.
 * Keys are stored as strings of their own (ownString): they live as long as the entry.
 * Values must be objects (never a Set themselves).
 */
import { ownString } from './own-string';

export class KeyIndex<V extends object> {
  private readonly map = new Map<string, V | Set<V>>();

  /**
   * Files `value` under `key` (once). `keyOwned`: the key is already a string of its own that
   * the value keeps anyway (e.g. its Call-ID), so the index shares it instead of a copy.
   */
  add(key: string, value: V, keyOwned = false): void {
    const held = this.map.get(key);
    if (held === undefined) this.map.set(keyOwned ? key : ownString(key), value);
    else if (held instanceof Set) held.add(value);
    else if (held !== value) this.map.set(key, new Set([held, value]));
  }

  /** Removes `value` from under `key`; true when it was there. */
  delete(key: string, value: V): boolean {
    const held = this.map.get(key);
    if (held === undefined) return false;
    if (held instanceof Set) {
      if (!held.delete(value)) return false;
      if (held.size === 1) this.map.set(key, held.values().next().value!);
      return true;
    }
    if (held !== value) return false;
    this.map.delete(key);
    return true;
  }

  /** The values under `key` (a new array: safe to change the index while going through it). */
  get(key: string): V[] {
    const held = this.map.get(key);
    if (held === undefined) return [];
    return held instanceof Set ? [...held] : [held];
  }

  /** The first value filed under `key`, if any. */
  first(key: string): V | undefined {
    const held = this.map.get(key);
    return held instanceof Set ? held.values().next().value : held;
  }

  /** Every value filed, once per key it is under. */
  *values(): IterableIterator<V> {
    for (const held of this.map.values()) {
      if (held instanceof Set) yield* held;
      else yield held;
    }
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  /** Number of keys. */
  get size(): number {
    return this.map.size;
  }

  clear(): void {
    this.map.clear();
  }
}
