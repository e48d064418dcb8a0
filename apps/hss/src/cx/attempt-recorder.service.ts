import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
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
 * Appends RegistrationAttempt rows without putting an INSERT on every MAR: records are
 * buffered and written as one multi-row INSERT per batch (at most MAX_BATCH rows or FLUSH_MS
 * old). Readers call `flush()` first so the trace they see is complete.
 */
@Injectable()
export class AttemptRecorder implements BeforeApplicationShutdown {
  private readonly logger = new Logger('CxAttempts');
  private buffer: AttemptRecord[] = [];
  private timer: NodeJS.Timeout | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly dataSource: DataSource,
    private readonly store: CxStore,
  ) {}

  record(attempt: AttemptRecord): void {
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
