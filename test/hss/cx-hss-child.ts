/**
 * Child-process entry of the Cx e2e specs: starts one HSS with createHssApp(overrides from
 * argv[2]), reports its ports over IPC, and closes it gracefully (DPR, HTTP, database) on
 * the 'close' message, or when the test runner disconnects. Run with
 * `node -r ./cx-ts-register.js`.
 */
import { createHssApp } from '../../apps/hss/src/hss-app';

async function main(): Promise<void> {
  const hss = await createHssApp(JSON.parse(process.argv[2] ?? '{}'));
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    hss
      .close()
      .catch((err: Error) => console.error(err))
      .finally(() => process.exit(0));
  };
  process.on('message', (msg) => {
    if (msg === 'close') stop();
  });
  // The test runner went away (crash, Ctrl-C): do not outlive it.
  process.on('disconnect', stop);
  process.send!({
    ready: true,
    restPort: hss.restPort,
    diameterPort: hss.diameterPort,
    config: hss.config,
  });
}

main().catch((err: Error) => {
  process.send!({ error: err.stack ?? String(err) });
  process.exit(1);
});
