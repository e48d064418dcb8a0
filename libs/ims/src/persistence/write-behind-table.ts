/**
 * A key → JSON-text table in an SQLite file (better-sqlite3), written behind the caller's
 * back: `put` and `delete` only queue the change; the queue is written in ONE transaction on
 * the next turn of the event loop (setImmediate, or after `flushDelayMs`), so a burst of
 * registrations costs one commit, and nothing on the SIP path waits for the disk. Reads
 * happen once, at start-up (`load`), to restore what a previous process left.
 *
 * The file runs in WAL mode with `synchronous = NORMAL` (sqlite.org/wal.html: "WAL mode is
 * always consistent with synchronous=NORMAL" and a committed transaction survives the
 * application crashing; only an operating-system crash or power loss may roll back the last
 * commits). So a SIGKILLed process loses at most what was queued and not yet committed: the
 * changes of the event-loop turn it died in. `close()` (SIGTERM via the Nest shutdown hooks)
 * writes the queue first.
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';

/** Values of `<ROLE>_DB_PATH` that mean "keep everything in memory, persist nothing". */
export const PERSISTENCE_OFF = ['off', ':memory:', ''] as const;

/** True when `path` disables persistence (`off`, `:memory:` or empty). */
export function persistenceDisabled(path: string | undefined): boolean {
  return path === undefined || (PERSISTENCE_OFF as readonly string[]).includes(path.trim());
}

/** A row as restored at start-up. */
export interface StoredRow {
  key: string;
  value: string;
}

export interface WriteBehindTableOptions {
  /** The SQLite file (created with its directory when missing). */
  path: string;
  /** Table name: letters, digits and `_` only. */
  table: string;
  /**
   * Wait this long after the first queued change before writing, so more changes share the
   * transaction (0: on the next setImmediate).
   */
  flushDelayMs?: number;
  /** Told of a failed write (the queue is kept and retried on the next change or close). */
  onError?: (err: Error) => void;
}

/** What a queued change writes: the JSON text, or a function that makes it at flush time. */
export type RowValue = string | (() => string);

/** Counters for tests and /metrics. */
export interface WriteBehindStats {
  /** Transactions committed. */
  flushes: number;
  /** Rows written (put) and removed (delete). */
  written: number;
  removed: number;
  /** Changes waiting for the next flush. */
  pending: number;
}

export class WriteBehindTable {
  private readonly db: Database.Database;
  private readonly upsert: Database.Statement<[string, string, number]>;
  private readonly remove: Database.Statement<[string]>;
  private readonly writeAll: (changes: [string, string | null][]) => void;
  /** key → the value to write (null: delete). A later change of a key replaces the earlier. */
  private queue = new Map<string, RowValue | null>();
  private scheduled?: { cancel(): void };
  private closed = false;
  private readonly counters = { flushes: 0, written: 0, removed: 0 };

  constructor(private readonly options: WriteBehindTableOptions) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(options.table)) {
      throw new Error(`table name "${options.table}" must be letters, digits and _`);
    }
    const file = resolve(options.path);
    mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = NORMAL');
    this.db.pragma('busy_timeout = 5000');
    const t = options.table;
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${t} (key TEXT PRIMARY KEY, value TEXT NOT NULL, updated INTEGER NOT NULL)`,
    );
    this.upsert = this.db.prepare(
      `INSERT INTO ${t} (key, value, updated) VALUES (?, ?, ?)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated = excluded.updated`,
    );
    this.remove = this.db.prepare(`DELETE FROM ${t} WHERE key = ?`);
    this.writeAll = this.db.transaction((changes: [string, string | null][]) => {
      const now = Date.now();
      for (const [key, value] of changes) {
        if (value === null) {
          this.remove.run(key);
          this.counters.removed++;
        } else {
          this.upsert.run(key, value, now);
          this.counters.written++;
        }
      }
    });
  }

  /** Every stored row (start-up only: a synchronous read of the whole table). */
  load(): StoredRow[] {
    return this.db
      .prepare(`SELECT key, value FROM ${this.options.table} ORDER BY key`)
      .all() as StoredRow[];
  }

  /** Queues `key` = `value` (a function is called at flush time, with the latest state). */
  put(key: string, value: RowValue): void {
    this.enqueue(key, value);
  }

  /** Queues the removal of `key`. */
  delete(key: string): void {
    this.enqueue(key, null);
  }

  /** Writes the queue now, in one transaction. */
  flush(): void {
    this.scheduled?.cancel();
    this.scheduled = undefined;
    if (this.queue.size === 0 || this.closed) return;
    const queued = [...this.queue];
    this.queue = new Map();
    // Values are made first: one that cannot be serialised is reported and skipped, it does
    // not roll back the others.
    const changes: [string, string | null][] = [];
    for (const [key, value] of queued) {
      try {
        changes.push([key, typeof value === 'function' ? value() : value]);
      } catch (err) {
        this.options.onError?.(err as Error);
      }
    }
    try {
      this.writeAll(changes);
      this.counters.flushes++;
    } catch (err) {
      // Keep what failed unless a newer change of the same key arrived meanwhile.
      for (const [key, value] of changes) if (!this.queue.has(key)) this.queue.set(key, value);
      this.options.onError?.(err as Error);
    }
  }

  get stats(): WriteBehindStats {
    return { ...this.counters, pending: this.queue.size };
  }

  /** Writes the queue and closes the file. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    this.db.close();
  }

  private enqueue(key: string, value: RowValue | null): void {
    if (this.closed) return;
    this.queue.set(key, value);
    if (this.scheduled) return;
    const delay = this.options.flushDelayMs ?? 0;
    if (delay > 0) {
      const t = setTimeout(() => this.flush(), delay);
      t.unref?.();
      this.scheduled = { cancel: () => clearTimeout(t) };
    } else {
      const i = setImmediate(() => this.flush());
      i.unref?.();
      this.scheduled = { cancel: () => clearImmediate(i) };
    }
  }
}
