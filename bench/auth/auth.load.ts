import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { type HttpRequest, type Measurement, measureHttp } from '../records/measure';
import { cpuMsPerRequest, loadAverageNow, type Row, renderReport, runEnvironment, summarize } from '../records/report';
import { type BenchDatabase, createBenchDatabase, USERS } from '../records/seed';
import { logMarks, serverProblems } from '../records/server-log';
import { measureBcrypt, THREAD_POOL_SIZE } from './bcrypt-bound';
import { cpuBetween, shapeCpu, waitUntilIdle, withOwnCpu } from './cpu';
import { passwordSignIn, tokenRefresh, UserRotation } from './scenarios';
import { authOrigins, createUsers, PASSWORD } from './users';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const CONNECTIONS = 10;

const SIGN_IN = 'sign in with password';
const REFRESH = 'refresh a token';
// The baseline rows: what native bcrypt itself compares per second on this machine, one
// comparison at a time and with its whole thread pool (the ratios' baseline: one process's most).
const ONE_THREAD = 'bcrypt, 1 thread';
const ALL_THREADS = `bcrypt, ${THREAD_POOL_SIZE} threads`;

const SHAPES = {
  standalone: (databaseUrl: string) => bootStandalone({ databaseUrl }),
  distributed: (databaseUrl: string) => bootDistributed({ databaseUrl }),
};

const OUTPUT = resolve(__dirname, 'last-run.md');

let database: BenchDatabase | undefined;
let running: RunningShape | undefined;

afterAll(async () => {
  await running?.stop();
  await database?.drop();
});

function log(line: string): void {
  process.stdout.write(`[bench:auth] ${line}\n`);
}

/**
 * A warm-up, then (once the server has finished what the warm-up left in flight) a measured run of
 * `requests` on `shape`, with what the server processes logged and the CPU time they used meanwhile.
 */
async function measureOn(shape: RunningShape, requests: HttpRequest[]): Promise<Measurement> {
  const load = { baseUrl: shape.baseUrl, connections: CONNECTIONS, requests };
  await measureHttp({ ...load, seconds: WARMUP_SECONDS });
  await waitUntilIdle(shape);
  const marks = logMarks(shape);
  const cpuBefore = shapeCpu(shape);
  const measured = await measureHttp({ ...load, seconds: SECONDS });
  measured.cpuSeconds = cpuBetween(cpuBefore, shapeCpu(shape));
  measured.serverLog = serverProblems(shape, marks);
  return measured;
}

/** A measurement of this process, with the CPU time it used. */
async function measureHere(work: () => Promise<Measurement>): Promise<Measurement> {
  const [measured, cpu] = await withOwnCpu(work);
  measured.cpuSeconds = { 'benchmark process': cpu };
  return measured;
}

function logRow(row: Row): void {
  const cpu = row.measured.cpuSeconds ? `, CPU ${cpuMsPerRequest(row.measured).toFixed(1)} ms/req` : '';
  log(`${row.target.padEnd(18)} | ${row.scenario}: ${summarize(row.measured)}${cpu}`);
  for (const sample of row.measured.samples) log(`  failure sample: ${sample}`);
  for (const [problem, count] of Object.entries(row.measured.serverLog)) log(`  server log: ${count}× ${problem}`);
}

it('measures password sign-in and token refresh against bcrypt itself', async () => {
  // The commit as built (read now: others may commit while the benchmark runs).
  const environment = runEnvironment();
  const loadAverageAtStart = environment.loadAverage;
  database = await createBenchDatabase();
  log(`database ${database.name}, load average ${loadAverageAtStart}`);

  running = await SHAPES.standalone(database.url);
  const users = await createUsers(running.baseUrl, database.url);
  await running.stop();
  running = undefined;
  log(`${users.emails.length} users, password hash bcrypt cost ${users.cost}`);

  const rows: Row[] = [];
  const add = (row: Row) => {
    rows.push(row);
    logRow(row);
  };

  // Nothing of the benchmark but this process runs while bcrypt is measured.
  const bcryptLoad = { sample: users.sample, seconds: SECONDS };
  await measureBcrypt({ ...bcryptLoad, concurrency: THREAD_POOL_SIZE, seconds: WARMUP_SECONDS });
  const oneThread = await measureHere(() => measureBcrypt({ ...bcryptLoad, concurrency: 1 }));
  add({ scenario: SIGN_IN, connections: 1, target: ONE_THREAD, measured: oneThread });
  const allThreads = await measureHere(() => measureBcrypt({ ...bcryptLoad, concurrency: THREAD_POOL_SIZE }));
  add({ scenario: SIGN_IN, connections: THREAD_POOL_SIZE, target: ALL_THREADS, measured: allThreads });

  // One rotation for the whole run: each sign-in is a user the run has not signed in yet
  // (until all USERS have been), on either shape.
  const rotation = new UserRotation(users.emails);
  const origins: string[] = [];
  for (const [shape, boot] of Object.entries(SHAPES)) {
    running = await boot(database.url);
    const tokens: string[] = [];
    const signIn = await measureOn(running, passwordSignIn(rotation, PASSWORD, tokens));
    add({ scenario: SIGN_IN, connections: CONNECTIONS, target: shape, measured: signIn });
    const refresh = await measureOn(running, tokenRefresh(tokens));
    add({ scenario: REFRESH, connections: CONNECTIONS, target: shape, measured: refresh });
    log(`${shape}: refreshed ${tokens.length} tokens from its sign-ins in turn`);

    const crashed = Object.values(running.processes).filter((p) => p.child.exitCode !== null);
    for (const child of crashed) log(`${child.name} exited with ${child.child.exitCode}:\n${child.output()}`);
    await running.stop();
    running = undefined;
    const { origins: count, users: signedIn } = await authOrigins(database.url);
    origins.push(`${count} sign-in origins for ${signedIn} users after ${shape}`);
    log(origins.at(-1) as string);
  }

  const order = [SIGN_IN, REFRESH];
  rows.sort((a, b) => order.indexOf(a.scenario) - order.indexOf(b.scenario));
  const report = renderReport(
    rows,
    {
      ...environment,
      loadAverage: loadAverageNow(),
      seconds: SECONDS,
      loadAverageAtStart,
      dataset: `${USERS} users, password hashes bcrypt cost ${users.cost} (${users.sample.hash.slice(0, 7)}…)`,
    },
    ALL_THREADS,
  );
  const compareMs = cpuMsPerRequest(oneThread);
  const parallel = Math.min(THREAD_POOL_SIZE, cpus().length);
  const signInCpu = rows
    .filter((row) => row.scenario === SIGN_IN && row.target in SHAPES)
    .map((row) => `${row.target} ${cpuMsPerRequest(row.measured).toFixed(1)} ms`)
    .join(', ');
  const full = [
    report,
    `Bound: one \`bcrypt.compare\` at cost ${users.cost} takes ${compareMs.toFixed(1)} ms of CPU, so one core ` +
      `compares at most ${(1000 / compareMs).toFixed(1)}/s. Native bcrypt compares on libuv's thread pool ` +
      `(${THREAD_POOL_SIZE} threads), off the event loop, so one process can keep ${parallel} of the ${cpus().length} ` +
      `cores comparing and signs in at most ${((parallel * 1000) / compareMs).toFixed(1)}/s if they do nothing else ` +
      `(the ${THREAD_POOL_SIZE}-thread run here: ${allThreads.perSecond.toFixed(1)}/s). Server CPU per sign-in: ${signInCpu}.`,
    '',
    `Alert-mail check (\`_authOrigins\`): ${origins.join('; ')}.`,
    '',
  ].join('\n');
  writeFileSync(OUTPUT, full);
  log(`report written to ${OUTPUT}\n\n${full}`);
  expect(rows).toHaveLength(2 + 2 * Object.keys(SHAPES).length);
});
