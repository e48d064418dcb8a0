import { DataSource } from 'typeorm';
import { loadHssConfig, type HssConfig } from '../config';
import { hssDataSourceOptions } from '../database/data-source-options';
import { AttemptRecorder, MAX_QUEUED, type AttemptRecord } from './attempt-recorder.service';
import { cxSettingsFrom } from './cx-settings';
import { CxStore } from './cx-store';
import { RegistrationAttempt } from './registration-attempt.entity';

/** The attempt log on a real sqlite database built by the migrations. */
describe('AttemptRecorder retention (HSS_ATTEMPTS_MAX_ROWS)', () => {
  let ds: DataSource;

  beforeEach(async () => {
    ds = new DataSource(
      hssDataSourceOptions({ dbType: 'sqlite', dbPath: ':memory:' } as HssConfig),
    );
    await ds.initialize();
  });

  afterEach(async () => {
    await ds.destroy();
  });

  const recorder = (maxRows: number) =>
    new AttemptRecorder(
      ds,
      new CxStore(ds),
      cxSettingsFrom(loadHssConfig({ HSS_ATTEMPTS_MAX_ROWS: String(maxRows) })),
    );

  const attempt = (n: number): AttemptRecord => ({
    command: 'MAR',
    impi: `user${n}@ims.example`,
    impu: null,
    resultCode: 2001,
    experimental: false,
    originHost: 'scscf.ims.example',
    detail: `attempt ${n}`,
  });

  it('keeps the newest rows only, however many are written', async () => {
    const r = recorder(1000);
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 1000; i++) r.record(attempt(round * 1000 + i));
      await r.flush();
    }
    const repo = ds.getRepository(RegistrationAttempt);
    const count = await repo.count();
    // Pruned every 100 rows written (a tenth of 1000): at most 1000 + 100 rows ever stay.
    expect(count).toBeGreaterThanOrEqual(1000);
    expect(count).toBeLessThanOrEqual(1100);
    const newest = await repo.find({ order: { id: 'DESC' }, take: 1 });
    expect(newest[0].detail).toBe('attempt 4999');
    expect(await r.prune()).toBe(count - 1000);
    expect(await repo.count()).toBe(1000);
    const oldest = await repo.find({ order: { id: 'ASC' }, take: 1 });
    expect(oldest[0].detail).toBe('attempt 4000');
    expect(r.pruned).toBe(4000);
  });

  it('keeps everything with 0', async () => {
    const r = recorder(0);
    for (let i = 0; i < 300; i++) r.record(attempt(i));
    await r.flush();
    expect(await ds.getRepository(RegistrationAttempt).count()).toBe(300);
  });

  it('drops records instead of queueing without bound when the database is behind', async () => {
    const r = recorder(0);
    for (let i = 0; i < MAX_QUEUED + 50; i++) r.record(attempt(i)); // no await: nothing written yet
    expect(r.dropped).toBe(50);
    await r.flush();
    expect(await ds.getRepository(RegistrationAttempt).count()).toBe(MAX_QUEUED);
    r.record(attempt(-1)); // room again
    await r.flush();
    expect(r.dropped).toBe(50);
  });
});
