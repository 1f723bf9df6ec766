import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { resolve } from 'node:path';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { type Measurement, measureDirect, measureHttp } from './measure';
import { type Row, renderReport } from './report';
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

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 3);
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

/** Where each process's output stands, to read only what a measured run logs. */
const logMarks = (shape: RunningShape) =>
  Object.fromEntries(Object.values(shape.processes).map((p) => [p.name, p.output().length]));

/** Warnings and errors the processes logged since `marks`, counted by process, level and error. */
function serverProblems(shape: RunningShape, marks: Record<string, number>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const p of Object.values(shape.processes)) {
    for (const line of p
      .output()
      .slice(marks[p.name] ?? 0)
      .split('\n')) {
      if (!line.trim()) continue;
      let key: string;
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string; err?: { type?: string; message?: string } };
        if ((entry.level ?? 0) < 40) continue;
        const what = entry.err ? `${entry.err.type}: ${entry.err.message}` : entry.msg;
        key = `${p.name} ${entry.level === 40 ? 'warn' : 'error'} "${String(what).slice(0, 160)}"`;
      } catch {
        key = `${p.name} output "${line.slice(0, 160)}"`;
      }
      counts[key] = (counts[key] ?? 0) + 1;
    }
  }
  return counts;
}

const summary = (m: Measurement) =>
  `${m.perSecond.toFixed(0)} req/s, p50 ${m.p50.toFixed(2)} ms, p99 ${m.p99.toFixed(2)} ms` +
  (Object.keys(m.failures).length ? `, failures ${JSON.stringify(m.failures)}` : '');

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
    for (const scenario of SCENARIOS) {
      const operation = scenario.direct(context);
      await measureDirect({ pool, concurrency: scenario.connections, seconds: WARMUP_SECONDS, operation });
      const measured = await measureDirect({ pool, concurrency: scenario.connections, seconds: SECONDS, operation });
      rows.push({ scenario: scenario.name, connections: scenario.connections, target: 'direct', measured });
      log(`direct      | ${scenario.name}: ${summary(measured)}`);
    }
  } finally {
    await pool.end();
  }

  for (const [shape, boot] of Object.entries(SHAPES)) {
    running = await boot(database.url);
    const token = await ownerToken(running.baseUrl);
    for (const scenario of SCENARIOS) {
      const load = { baseUrl: running.baseUrl, token, connections: scenario.connections };
      await measureHttp({ ...load, seconds: WARMUP_SECONDS, requests: scenario.http(context) });
      const logged = logMarks(running);
      const measured = await measureHttp({ ...load, seconds: SECONDS, requests: scenario.http(context) });
      measured.serverLog = serverProblems(running, logged);
      rows.push({ scenario: scenario.name, connections: scenario.connections, target: shape, measured });
      log(`${shape.padEnd(11)} | ${scenario.name}: ${summary(measured)}`);
      for (const sample of measured.samples) log(`  failure sample: ${sample}`);
      for (const [problem, count] of Object.entries(measured.serverLog)) log(`  server log: ${count}× ${problem}`);
    }
    const crashed = Object.values(running.processes).filter((p) => p.child.exitCode !== null);
    for (const child of crashed) log(`${child.name} exited with ${child.child.exitCode}:\n${child.output()}`);
    await running.stop();
    running = undefined;
  }

  const report = renderReport(rows, {
    date: new Date().toISOString().slice(0, 10),
    machine: `${cpus().length} cores (${cpus()[0]?.model.trim()}), ${Math.round(totalmem() / 2 ** 30)} GB`,
    node: process.version,
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    seconds: SECONDS,
    loadAverage: loadavg()
      .map((n) => n.toFixed(2))
      .join(' '),
    rowBytes,
  });
  writeFileSync(OUTPUT, report);
  log(`report written to ${OUTPUT}\n\n${report}`);
  expect(rows).toHaveLength(SCENARIOS.length * 3);
});
