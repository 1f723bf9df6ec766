import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { cpuBetween, shapeCpu, waitUntilIdle } from '../auth/cpu';
import { type Measurement, measureHttp } from '../records/measure';
import { loadAverageNow, runEnvironment, summarize } from '../records/report';
import { SCENARIOS, type ScenarioContext } from '../records/scenarios';
import {
  type BenchDatabase,
  createBenchDatabase,
  createSchema,
  OWNER,
  ownedPostIds,
  ROOT,
  seed,
  upsertSuperuser,
} from '../records/seed';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
// Rounds of "off, then on": interleaved so that drift on a shared machine hits both alike.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SCENARIO = SCENARIOS.find((scenario) => scenario.name === 'view one record by id');
const OUTPUT = resolve(__dirname, 'last-run.md');

const SHAPES = {
  standalone: (databaseUrl: string) => bootStandalone({ databaseUrl }),
  distributed: (databaseUrl: string) => bootDistributed({ databaseUrl }),
};

type Mode = 'off' | 'on';
interface Run {
  shape: string;
  mode: Mode;
  round: number;
  measured: Measurement;
  /** Log entries stored for the measured requests (logging on), after the batches landed. */
  logged: number;
  /** CPU milliseconds per request over the shape's processes, the log writes included. */
  cpuMs: number;
}

let database: BenchDatabase | undefined;
let running: RunningShape | undefined;

afterAll(async () => {
  await running?.stop();
  await database?.drop();
});

function log(line: string): void {
  process.stdout.write(`[bench:logging] ${line}\n`);
}

async function signedIn(baseUrl: string, collection: string, who: { email: string; password: string }) {
  const client = new PocketBase(baseUrl);
  await client.collection(collection).authWithPassword(who.email, who.password);
  return client;
}

async function logCount(pool: pg.Pool): Promise<number> {
  const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "_logs"`);
  return Number(rows[0].n);
}

/** Waits until the log count stops growing (the last batches were written). */
async function settledLogCount(pool: pg.Pool): Promise<number> {
  let last = -1;
  for (;;) {
    const now = await logCount(pool);
    if (now === last) return now;
    last = now;
    await new Promise((done) => setTimeout(done, 1_000));
  }
}

const mean = (values: number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(values.length, 1);

function render(runs: Run[]): string {
  const lines = [
    `Records \`get\` (view one record by id, 10 connections, owner's token) with request logging off`,
    `(\`settings.logs.maxDays = 0\`) and on (\`5\`, the default), ${ROUNDS} interleaved rounds of ${SECONDS} s each`,
    `after ${WARMUP_SECONDS} s of warm-up. ${JSON.stringify(runEnvironment())}, load at end ${loadAverageNow()}.`,
    '',
    '| shape | logging | round | req/s | p50 ms | p99 ms | CPU ms/request | logs stored / requests |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const run of runs) {
    const stored = `${run.logged} / ${run.measured.requests}`;
    lines.push(
      `| ${run.shape} | ${run.mode} | ${run.round + 1} | ${run.measured.perSecond.toFixed(0)} | ` +
        `${run.measured.p50.toFixed(2)} | ${run.measured.p99.toFixed(2)} | ${run.cpuMs.toFixed(3)} | ${stored} |`,
    );
  }
  lines.push(
    '',
    '| shape | mean req/s off | mean req/s on | throughput lost | CPU ms/request off | on | CPU added |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const shape of Object.keys(SHAPES)) {
    const of = (mode: Mode, pick: (run: Run) => number) =>
      mean(runs.filter((r) => r.shape === shape && r.mode === mode).map(pick));
    const [off, on] = [of('off', (r) => r.measured.perSecond), of('on', (r) => r.measured.perSecond)];
    const [cpuOff, cpuOn] = [of('off', (r) => r.cpuMs), of('on', (r) => r.cpuMs)];
    lines.push(
      `| ${shape} | ${off.toFixed(0)} | ${on.toFixed(0)} | ${(((off - on) / off) * 100).toFixed(1)} % | ` +
        `${cpuOff.toFixed(3)} | ${cpuOn.toFixed(3)} | ${(((cpuOn - cpuOff) / cpuOff) * 100).toFixed(1)} % |`,
    );
  }
  return `${lines.join('\n')}\n`;
}

it('measures records get with request logging off and on', async () => {
  if (!SCENARIO) throw new Error('no "view one record by id" scenario');
  database = await createBenchDatabase();
  log(`database ${database.name}`);
  await upsertSuperuser(database.url);
  running = await SHAPES.standalone(database.url);
  const ownerId = await createSchema(running.baseUrl);
  await running.stop();
  running = undefined;
  await seed(database.url);
  const context: ScenarioContext = { ownerId, postIds: await ownedPostIds(database.url, ownerId) };

  const runs: Run[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  try {
    for (const [shape, boot] of Object.entries(SHAPES)) {
      running = await boot(database.url);
      const root = await signedIn(running.baseUrl, '_superusers', ROOT);
      const token = (await signedIn(running.baseUrl, 'users', OWNER)).authStore.token;
      const load = { baseUrl: running.baseUrl, token, connections: SCENARIO.connections };
      for (let round = 0; round < ROUNDS; round++) {
        for (const mode of ['off', 'on'] as const) {
          await root.settings.update({ logs: { maxDays: mode === 'on' ? 5 : 0 } });
          await measureHttp({ ...load, seconds: WARMUP_SECONDS, requests: SCENARIO.http(context) });
          const before = await settledLogCount(pool);
          await waitUntilIdle(running);
          const cpuBefore = shapeCpu(running);
          const measured = await measureHttp({ ...load, seconds: SECONDS, requests: SCENARIO.http(context) });
          // The log writes after the run count against it: they are what logging costs.
          const logged = (await settledLogCount(pool)) - before;
          const cpu = Object.values(cpuBetween(cpuBefore, shapeCpu(running))).reduce((a, b) => a + b, 0);
          const cpuMs = (cpu * 1000) / Math.max(measured.requests, 1);
          runs.push({ shape, mode, round, measured, logged, cpuMs });
          log(
            `${shape.padEnd(11)} | logging ${mode.padEnd(3)} | ${summarize(measured)} | ` +
              `${cpuMs.toFixed(3)} CPU ms/request | logged ${logged}`,
          );
        }
      }
      await running.stop();
      running = undefined;
    }
  } finally {
    await pool.end();
  }
  const report = render(runs);
  writeFileSync(OUTPUT, report);
  log(`report written to ${OUTPUT}\n\n${report}`);
  expect(runs).toHaveLength(Object.keys(SHAPES).length * ROUNDS * 2);
});
