import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { measureDirect, measureHttp } from './measure';
import { type Row, renderReport, runEnvironment, summarize } from './report';
import { SCENARIOS, type ScenarioContext } from './scenarios';
import {
  averageRowBytes,
  type BenchDatabase,
  createBenchDatabase,
  createSchema,
  OWNER,
  ownedPostIds,
  POSTS,
  seed,
  upsertSuperuser,
} from './seed';
import { logMarks, serverProblems } from './server-log';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
// `BENCH_ONLY=alternating` (part of a scenario's name, any case) runs only the matching scenarios.
const ONLY = process.env.BENCH_ONLY?.toLowerCase();
const RUN = SCENARIOS.filter((scenario) => !ONLY || scenario.name.toLowerCase().includes(ONLY));
// The app's pg pool holds 10 connections; the direct runs get as many, so 300 callers queue
// on it as 300 requests queue on the app's pool.
const DIRECT_POOL_SIZE = 10;

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

async function ownerToken(baseUrl: string): Promise<string> {
  const client = new PocketBase(baseUrl);
  await client.collection('users').authWithPassword(OWNER.email, OWNER.password);
  return client.authStore.token;
}

function log(line: string): void {
  process.stdout.write(`[bench:records] ${line}\n`);
}

it('measures the records API against direct Postgres', async () => {
  database = await createBenchDatabase();
  log(`database ${database.name}`);
  await upsertSuperuser(database.url);

  // Schema through the API (standalone), data through SQL.
  running = await SHAPES.standalone(database.url);
  const ownerId = await createSchema(running.baseUrl);
  await running.stop();
  running = undefined;
  const seeding = Date.now();
  await seed(database.url);
  const context: ScenarioContext = { ownerId, postIds: await ownedPostIds(database.url, ownerId) };
  const rowBytes = await averageRowBytes(database.url);
  log(
    `seeded ${POSTS} posts (avg ${rowBytes} B/row) in ${Date.now() - seeding} ms; owner has ${context.postIds.length}`,
  );

  const rows: Row[] = [];
  const pool = new pg.Pool({ connectionString: database.url, max: DIRECT_POOL_SIZE });
  try {
    for (const scenario of RUN) {
      const operation = scenario.direct(context);
      await measureDirect({ pool, concurrency: scenario.connections, seconds: WARMUP_SECONDS, operation });
      const measured = await measureDirect({ pool, concurrency: scenario.connections, seconds: SECONDS, operation });
      rows.push({ scenario: scenario.name, connections: scenario.connections, target: 'direct', measured });
      log(`direct      | ${scenario.name}: ${summarize(measured)}`);
    }
  } finally {
    await pool.end();
  }

  for (const [shape, boot] of Object.entries(SHAPES)) {
    running = await boot(database.url);
    const token = await ownerToken(running.baseUrl);
    for (const scenario of RUN) {
      const load = { baseUrl: running.baseUrl, token, connections: scenario.connections };
      await measureHttp({ ...load, seconds: WARMUP_SECONDS, requests: scenario.http(context) });
      const logged = logMarks(running);
      const measured = await measureHttp({ ...load, seconds: SECONDS, requests: scenario.http(context) });
      measured.serverLog = serverProblems(running, logged);
      rows.push({ scenario: scenario.name, connections: scenario.connections, target: shape, measured });
      log(`${shape.padEnd(11)} | ${scenario.name}: ${summarize(measured)}`);
      for (const sample of measured.samples) log(`  failure sample: ${sample}`);
      for (const [problem, count] of Object.entries(measured.serverLog)) log(`  server log: ${count}× ${problem}`);
    }
    const crashed = Object.values(running.processes).filter((p) => p.child.exitCode !== null);
    for (const child of crashed) log(`${child.name} exited with ${child.child.exitCode}:\n${child.output()}`);
    await running.stop();
    running = undefined;
  }

  const report = renderReport(rows, {
    ...runEnvironment(),
    seconds: SECONDS,
    dataset: `posts average ${rowBytes} B per row`,
  });
  writeFileSync(OUTPUT, report);
  log(`report written to ${OUTPUT}\n\n${report}`);
  expect(rows).toHaveLength(RUN.length * 3);
});
