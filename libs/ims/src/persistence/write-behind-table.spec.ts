import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { persistenceDisabled, WriteBehindTable } from './write-behind-table';

const nextTurn = () => new Promise<void>((r) => setImmediate(r));

describe('WriteBehindTable (SQLite, WAL, one transaction per event-loop turn)', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wbt-'));
    file = join(dir, 'sub', 'x.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('queues changes and writes them together on the next turn, in WAL mode', async () => {
    const t = new WriteBehindTable({ path: file, table: 'regs' });
    t.put('a', '1');
    t.put('b', '2');
    t.put('a', '3'); // replaces the queued value of a
    t.delete('b');
    expect(t.stats).toMatchObject({ flushes: 0, pending: 2 });
    // Another connection sees nothing before the flush.
    const reader = new Database(file, { readonly: true });
    expect(reader.prepare('SELECT count(*) AS n FROM regs').get()).toEqual({ n: 0 });
    await nextTurn();
    expect(t.stats).toMatchObject({ flushes: 1, written: 1, removed: 1, pending: 0 });
    expect(reader.prepare('SELECT key, value FROM regs').all()).toEqual([{ key: 'a', value: '3' }]);
    expect(reader.pragma('journal_mode', { simple: true })).toBe('wal');
    reader.close();
    t.close();
  });

  it('makes a function value at flush time (the latest state)', async () => {
    const t = new WriteBehindTable({ path: file, table: 'regs' });
    let state = 'old';
    t.put('k', () => state);
    state = 'new';
    await nextTurn();
    expect(t.load()).toEqual([{ key: 'k', value: 'new' }]);
    t.close();
  });

  it('a value that cannot be made is reported and skipped; the others are written', async () => {
    const errors: Error[] = [];
    const t = new WriteBehindTable({ path: file, table: 'regs', onError: (e) => errors.push(e) });
    t.put('bad', () => {
      throw new Error('boom');
    });
    t.put('good', 'ok');
    await nextTurn();
    expect(errors.map((e) => e.message)).toEqual(['boom']);
    expect(t.load()).toEqual([{ key: 'good', value: 'ok' }]);
    t.close();
  });

  it('close() writes the queue; a new process loads what the last one left', () => {
    const t = new WriteBehindTable({ path: file, table: 'regs' });
    t.put('x', '{"v":1}');
    t.close();
    t.put('y', 'ignored after close');
    const again = new WriteBehindTable({ path: file, table: 'regs' });
    expect(again.load()).toEqual([{ key: 'x', value: '{"v":1}' }]);
    again.close();
  });

  it('flushDelayMs gathers the changes of several turns into one transaction', async () => {
    const t = new WriteBehindTable({ path: file, table: 'regs', flushDelayMs: 30 });
    t.put('a', '1');
    await nextTurn();
    t.put('b', '2');
    expect(t.stats.flushes).toBe(0);
    await new Promise((r) => setTimeout(r, 60));
    expect(t.stats).toMatchObject({ flushes: 1, written: 2 });
    t.close();
  });

  it('refuses a table name that is not an identifier', () => {
    expect(() => new WriteBehindTable({ path: file, table: 'x; DROP TABLE y' })).toThrow(
      /table name/,
    );
  });

  it.each([
    ['off', true],
    [':memory:', true],
    ['', true],
    [undefined, true],
    ['./data/scscf.sqlite', false],
  ])('persistenceDisabled(%p) is %p', (path, off) => {
    expect(persistenceDisabled(path)).toBe(off);
  });
});
