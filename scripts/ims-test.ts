/**
 * `npm run ims-test -- --pcscf HOST:PORT (--provision URL | --subscribers FILE) [...]`: the IMS
 * registration and call test suite against any core (docs/ims-test.md). The work is done by
 * libs/ims/src/conformance; this file only connects it to the process.
 */
import { runImsTestCli } from '@lib/ims';

runImsTestCli(process.argv.slice(2), {
  stdout: { write: (t) => process.stdout.write(t), isTTY: process.stdout.isTTY === true },
  stderr: { write: (t) => process.stderr.write(t) },
}).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(
      `ims-test: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    process.exitCode = 2;
  },
);
