import { Injectable, Logger, BeforeApplicationShutdown } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CxCommandName, RegistrationAttempt } from './registration-attempt.entity';

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

  constructor(private readonly dataSource: DataSource) {}

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
      // SQLite caps bound parameters per statement; 8 columns x 100 rows stays well below it.
      for (let i = 0; i < batch.length; i += 100) {
        await this.dataSource
          .createQueryBuilder()
          .insert()
          .into(RegistrationAttempt)
          .values(
            batch.slice(i, i + 100).map((a) => ({
              impi: a.impi ?? null,
              impu: a.impu ?? null,
              command: a.command,
              resultCode: a.resultCode,
              experimental: a.experimental,
              originHost: a.originHost,
              detail: a.detail,
            })),
          )
          .updateEntity(false)
          .execute();
      }
    } catch (err) {
      this.logger.error(
        `could not record ${batch.length} Cx attempt(s): ${(err as Error).message}`,
      );
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.flush();
  }
}
