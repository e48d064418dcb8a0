import { Inject, Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CX_SETTINGS, CxSettings } from './cx-settings';
import { CxStore } from './cx-store';
import { CxCommandName } from './registration-attempt.entity';

/** What a handler reports about one Cx exchange. */
export interface AttemptRecord {
  impi?: string | null;
  impu?: string | null;
  command: CxCommandName;
  resultCode: number;
  experimental: boolean;
  originHost: string;
  detail: string;
}

/** Rows buffered before a flush is forced; otherwise the buffer is flushed after FLUSH_MS. */
const MAX_BATCH = 500;
const FLUSH_MS = 50;
/** Rows per multi-row INSERT (7 parameters each, far below SQLite's bound-parameter limit). */
const CHUNK = 25;
/**
 * Records waiting for the database at most; more are dropped (and counted) rather than
 * queued without bound when the database falls behind a flood of Cx requests.
 */
export const MAX_QUEUED = 20 * MAX_BATCH;

/**
 * Appends RegistrationAttempt rows without putting an INSERT on every MAR: records are
 * buffered and written as one multi-row INSERT per batch (at most MAX_BATCH rows or FLUSH_MS
 * old). Readers call `flush()` first so the trace they see is complete.
 *
 * Bounded (issue 9, memory under sustained Cx load): the table keeps the newest
 * HSS_ATTEMPTS_MAX_ROWS rows (older ones are deleted once a tenth of that has been written
 * since the last prune, and at start), and at most MAX_QUEUED records wait for the database.
 */
@Injectable()
export class AttemptRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CxAttempts');
  private buffer: AttemptRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();
  /** Records buffered or being written. */
  private queued = 0;
  /** Rows written since the last prune (a prune runs at the first write). */
  private sincePrune = Number.POSITIVE_INFINITY;
  /** Records dropped because the database fell behind (MAX_QUEUED). */
  dropped = 0;
  /** Rows deleted by pruning since start. */
  pruned = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: CxStore,
    @Inject(CX_SETTINGS) private readonly settings: CxSettings,
  ) {}

  record(attempt: AttemptRecord): void {
    if (this.queued >= MAX_QUEUED) {
      if (this.dropped++ % 10_000 === 0) {
        this.logger.warn(`the database is behind: Cx attempt records dropped (${this.dropped})`);
      }
      return;
    }
    this.queued++;
    this.buffer.push(attempt);
    if (this.buffer.length >= MAX_BATCH) {
      void this.flush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), FLUSH_MS);
      this.timer.unref();
    }
  }

  /** Writes everything recorded so far; resolves when it is in the database. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.buffer;
    this.buffer = [];
    this.writing = this.writing.then(() => (batch.length ? this.write(batch) : undefined));
    return this.writing;
  }

  private async write(batch: AttemptRecord[]): Promise<void> {
    try {
      await this.writeRows(batch);
    } finally {
      this.queued -= batch.length;
    }
  }

  private async writeRows(batch: AttemptRecord[]): Promise<void> {
    if (!this.dataSource.isInitialized) return;
    try {
      // Full chunks share one multi-row statement, the rest go one by one: two fixed SQL
      // texts, so the prepared statements are reused instead of re-prepared per batch size.
      let i = 0;
      for (; i + CHUNK <= batch.length; i += CHUNK) await this.insert(batch.slice(i, i + CHUNK));
      for (; i < batch.length; i++) await this.insert([batch[i]]);
    } catch (err) {
      this.logger.error(
        `could not record ${batch.length} Cx attempt(s): ${(err as Error).message}`,
      );
    }
    this.sincePrune += batch.length;
    const max = this.settings.attemptsMaxRows;
    if (max > 0 && this.sincePrune >= Math.max(100, Math.ceil(max / 10))) await this.prune(max);
  }

  /** Deletes all but the newest `keep` rows. */
  async prune(keep = this.settings.attemptsMaxRows): Promise<number> {
    this.sincePrune = 0;
    if (keep <= 0 || !this.dataSource.isInitialized) return 0;
    try {
      // The id of the (keep+1)-th newest row; it and everything older go (ids only grow).
      const n = await this.store.execute(
        `DELETE FROM registration_attempts WHERE id <= (
           SELECT id FROM registration_attempts ORDER BY id DESC LIMIT 1 OFFSET ?)`,
        [keep],
      );
      this.pruned += n;
      return n;
    } catch (err) {
      this.logger.error(`could not prune the Cx attempt log: ${(err as Error).message}`);
      return 0;
    }
  }

  private insert(rows: AttemptRecord[]): Promise<number> {
    const values = rows.map(() => '(?, ?, ?, ?, ?, ?, ?)').join(', ');
    return this.store.execute(
      `INSERT INTO registration_attempts
         (impi, impu, command, result_code, experimental, origin_host, detail) VALUES ${values}`,
      rows.flatMap((a) => [
        a.impi ?? null,
        a.impu ?? null,
        a.command,
        a.resultCode,
        a.experimental,
        a.originHost,
        a.detail,
      ]),
    );
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
