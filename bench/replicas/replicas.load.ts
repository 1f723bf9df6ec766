import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, expect, it } from 'vitest';
import { bootReplicated, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { cpuBetween, shapeCpu, waitUntilIdle } from '../auth/cpu';
import { measureHttp } from '../records/measure';
import { loadAverageNow, type Row, renderReport, runEnvironment, summarize } from '../records/report';
import { SCENARIOS, type ScenarioContext } from '../records/scenarios';
import {
  averageRowBytes,
  type BenchDatabase,
  createBenchDatabase,
  createSchema,
  OWNER,
  ownedPostIds,
  seed,
  upsertSuperuser,
} from '../records/seed';
import { logMarks, serverProblems } from '../records/server-log';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
const MEASURED = ['view one record by id', 'create one ~600 B record'];
const OUTPUT = resolve(__dirname, 'last-run.md');
// Replicas of every service, with the per-request schema check (`request`, the default) and
// without it (`event`: bus and timer only), to price read-your-writes.
const VARIANTS = [
  { replicas: 1, freshness: 'request' },
  { replicas: 2, freshness: 'request' },
  { replicas: 1, freshness: 'event' },
  { replicas: 2, freshness: 'event' },
] as const;

let database: BenchDatabase | undefined;
let running: RunningShape | undefined;

afterAll(async () => {
  await running?.stop();
  await database?.drop();
});

function log(line: string): void {
  process.stdout.write(`[bench:replicas] ${line}\n`);
}

const ticksPerSecond = 100;

/** CPU seconds of the Postgres backends serving `database` (the services' pool connections). */
async function postgresCpu(admin: pg.Client, name: string): Promise<Record<string, number>> {
  const { rows } = await admin.query<{ pid: number }>('SELECT pid FROM pg_stat_activity WHERE datname = $1', [name]);
  let seconds = 0;
  for (const { pid } of rows) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      seconds += (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
    } catch {
      // A backend that ended meanwhile.
    }
  }
  return { postgres: seconds };
}

it('measures records view and create with 1 and 2 replicas of every service, with and without the schema check', async () => {
  const loadAtStart = loadAverageNow();
  database = await createBenchDatabase();
  log(`database ${database.name}`);
  await upsertSuperuser(database.url);
  running = await bootStandalone({ databaseUrl: database.url });
  const ownerId = await createSchema(running.baseUrl);
  await running.stop();
  running = undefined;
  await seed(database.url);
  const context: ScenarioContext = { ownerId, postIds: await ownedPostIds(database.url, ownerId) };
  const rowBytes = await averageRowBytes(database.url);

  const admin = new pg.Client({ connectionString: database.url });
  await admin.connect();
  const rows: Row[] = [];
  try {
    for (const { replicas, freshness } of VARIANTS) {
      const target = `${replicas === 1 ? '1 replica' : `${replicas} replicas`}${freshness === 'event' ? ', event' : ''}`;
      running = await bootReplicated({ databaseUrl: database.url, replicas, env: { HB_SCHEMA_FRESHNESS: freshness } });
      const client = new PocketBase(running.baseUrl);
      await client.collection('users').authWithPassword(OWNER.email, OWNER.password);
      for (const scenario of SCENARIOS.filter((s) => MEASURED.includes(s.name))) {
        const load = { baseUrl: running.baseUrl, token: client.authStore.token, connections: scenario.connections };
        await measureHttp({ ...load, seconds: WARMUP_SECONDS, requests: scenario.http(context) });
        await waitUntilIdle(running);
        const marks = logMarks(running);
        const before = { ...shapeCpu(running), ...(await postgresCpu(admin, database.name)) };
        const measured = await measureHttp({ ...load, seconds: SECONDS, requests: scenario.http(context) });
        const after = { ...shapeCpu(running), ...(await postgresCpu(admin, database.name)) };
        measured.cpuSeconds = cpuBetween(before, after);
        measured.serverLog = serverProblems(running, marks);
        rows.push({ scenario: scenario.name, connections: scenario.connections, target, measured });
        log(`${target} | ${scenario.name}: ${summarize(measured)}`);
      }
      await running.stop();
      running = undefined;
    }
  } finally {
    await admin.end();
  }
  const report = renderReport(
    rows,
    {
      ...runEnvironment(),
      loadAverageAtStart: loadAtStart,
      seconds: SECONDS,
      dataset: `posts average ${rowBytes} B per row`,
    },
    '1 replica',
  );
  writeFileSync(OUTPUT, report);
  log(`report written to ${OUTPUT}\n\n${report}`);
  expect(rows).toHaveLength(MEASURED.length * VARIANTS.length);
});
