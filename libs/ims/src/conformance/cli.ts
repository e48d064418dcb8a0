/**
 * `npm run ims-test`: parse and check the options, resolve the P-CSCF and the UEs' local
 * address, prepare the subscribers, run the selected cases with live lines, print the summary
 * table, write JUnit and HTML, and return the exit code (0 only when every case passed).
 */
import * as dgram from 'node:dgram';
import { lookup } from 'node:dns/promises';
import * as fs from 'node:fs';
import { isIP } from 'node:net';
import * as path from 'node:path';
import { DEFAULT_IMS_DOMAIN } from '../cscf-config';
import { CATALOGUE, selectCases } from './cases';
import { IMS_TEST_USAGE, ImsTestOptions, parseImsTestArgs, UsageError } from './cli-options';
import { runPassed, SuiteConfig } from './conformance-types';
import { ConsoleReporter, ConsoleSink, renderHtml, renderJunit } from './reporters';
import { runSuite } from './runner';
import {
  FileSubscriberSource,
  ProvisioningSubscriberSource,
  SubscriberSource,
} from './subscriber-source';

export interface CliIo {
  stdout: ConsoleSink;
  stderr: { write(text: string): void };
}

export async function runImsTestCli(argv: string[], io: CliIo): Promise<number> {
  let options: ImsTestOptions;
  try {
    options = parseImsTestArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`ims-test: ${err.message}\n\n${IMS_TEST_USAGE}\n`);
    return 2;
  }
  if (options.help) {
    io.stdout.write(`${IMS_TEST_USAGE}\n`);
    return 0;
  }
  if (options.list) {
    for (const c of CATALOGUE) {
      io.stdout.write(
        `${c.id.padEnd(25)} ${c.suite.padEnd(13)} ${c.title}\n${' '.repeat(40)}${c.clauses.join(', ')}\n`,
      );
    }
    return 0;
  }

  let prepared: { config: SuiteConfig; source: SubscriberSource };
  let cases;
  try {
    cases = selectCases(options.suites, options.cases);
    if (cases.length === 0)
      throw new UsageError(`no case in suite ${options.suites.join(', ')} matches`);
    prepared = await prepare(options);
  } catch (err) {
    io.stderr.write(`ims-test: ${(err as Error).message}\n`);
    return 2;
  }
  const { config, source } = prepared;
  io.stdout.write(
    `ims-test: ${cases.length} case(s) against P-CSCF ${config.pcscf.host}:${config.pcscf.port}/${config.transport}, domain ${config.domain}\n` +
      `          UEs on ${config.localHost}; subscribers ${source.description}\n\n`,
  );
  const reporter = new ConsoleReporter(io.stdout);
  const run = await runSuite({
    config,
    cases,
    suites: options.suites,
    subscribers: source,
    listener: reporter,
  });
  reporter.summary(run);
  for (const [file, render] of [
    [options.junit, renderJunit],
    [options.html, renderHtml],
  ] as const) {
    if (!file) continue;
    fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    fs.writeFileSync(file, render(run));
    io.stdout.write(`wrote ${file}\n`);
  }
  return runPassed(run) ? 0 : 1;
}

async function prepare(
  options: ImsTestOptions,
): Promise<{ config: SuiteConfig; source: SubscriberSource }> {
  const pcscfHost = isIP(options.pcscf.host)
    ? options.pcscf.host
    : await lookup(options.pcscf.host).then(
        (a) => a.address,
        (err: Error) => {
          throw new UsageError(`--pcscf: cannot resolve ${options.pcscf.host} (${err.message})`);
        },
      );
  const localHost = options.localHost ?? (await localAddressTowards(pcscfHost, options.pcscf.port));
  let source: SubscriberSource;
  let domain = options.domain;
  if (options.source.kind === 'provision') {
    const p = new ProvisioningSubscriberSource(options.source.url, options.source.token);
    await p.probe();
    source = p;
  } else {
    const f = FileSubscriberSource.load(options.source.path);
    source = f;
    domain ??= f.domain;
  }
  return {
    source,
    config: {
      pcscf: { host: pcscfHost, port: options.pcscf.port },
      transport: options.transport,
      domain: domain ?? DEFAULT_IMS_DOMAIN,
      localHost,
      t1Ms: options.t1Ms,
      caseTimeoutMs: options.caseTimeoutMs,
      maxExpiryWaitS: options.maxExpiryWaitS,
    },
  };
}

/** The local address the OS would send from to reach the P-CSCF (a connected UDP socket). */
function localAddressTowards(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = dgram.createSocket(isIP(host) === 6 ? 'udp6' : 'udp4');
    socket.once('error', (err) => {
      socket.close();
      reject(
        new UsageError(
          `no route to the P-CSCF ${host}:${port} (${err.message}); give --local-host`,
        ),
      );
    });
    socket.connect(port, host, () => {
      const { address } = socket.address();
      socket.close();
      resolve(address);
    });
  });
}
