import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { bootDistributed, bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { waitUntilIdle } from '../auth/cpu';
import { measureHttp } from '../records/measure';
import { loadAverageNow, runEnvironment, summarize } from '../records/report';
import { SCENARIOS, type ScenarioContext } from '../records/scenarios';
import {
  type BenchDatabase,
  createBenchDatabase,
  createSchema,
  OWNER,
  ownedPostIds,
  seed,
  upsertSuperuser,
} from '../records/seed';

// Issue 14, item 5: start-up and memory. Warm start = a second `hivebase serve` on a data
// directory that exists (embedded Postgres initialised, migrations applied), from spawn to a
// 200 from /api/health; RSS of every Node process at idle and its peak under the records `get`.
const WARM_STARTS = Number(process.env.BENCH_WARM_STARTS ?? 3);
const LOAD_SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const IDLE_SETTLE_MS = 3_000;
const OUTPUT = resolve(__dirname, 'last-run.md');
const VIEW = SCENARIOS.find((scenario) => scenario.name === 'view one record by id');

let database: BenchDatabase | undefined;
let running: RunningShape | undefined;
let dir: string | undefined;

afterAll(async () => {
  await running?.stop();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

const log = (line: string) => process.stdout.write(`[bench:footprint] ${line}\n`);
const mib = (kib: number) => (kib / 1024).toFixed(0);

/** Resident set size of a process in KiB (`VmRSS` of `/proc/<pid>/status`). */
function rssKib(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('VmRSS:'));
  return Number(line?.replace(/\D+/g, '') ?? 0);
}

const rssOf = (shape: RunningShape): Record<string, number> =>
  Object.fromEntries(Object.values(shape.processes).map((p) => [p.name, p.child.pid ? rssKib(p.child.pid) : 0]));

/** Each process's highest RSS while `work` runs, sampled every 200 ms. */
async function peakRss(shape: RunningShape, work: () => Promise<unknown>): Promise<Record<string, number>> {
  const peak = rssOf(shape);
  const timer = setInterval(() => {
    for (const [name, kib] of Object.entries(rssOf(shape))) peak[name] = Math.max(peak[name] ?? 0, kib);
  }, 200);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return peak;
}

async function timedBoot(dataDir: string): Promise<number> {
  const started = performance.now();
  running = await bootStandalone({ dir: dataDir });
  const ms = performance.now() - started;
  await running.stop();
  running = undefined;
  return ms;
}

it('measures warm start and memory of both shapes', async () => {
  if (!VIEW) throw new Error('no "view one record by id" scenario');
  const lines = [
    `Footprint, ${JSON.stringify(runEnvironment())}.`,
    '',
    '| standalone start (embedded Postgres) | ms to healthy |',
    '| --- | ---: |',
  ];

  dir = await mkdtemp(join(tmpdir(), 'hb-bench-footprint-'));
  const cold = await timedBoot(dir);
  lines.push(`| first start (initdb, migrations) | ${cold.toFixed(0)} |`);
  const warm: number[] = [];
  for (let i = 0; i < WARM_STARTS; i++) warm.push(await timedBoot(dir));
  for (const [i, ms] of warm.entries()) lines.push(`| warm start ${i + 1} | ${ms.toFixed(0)} |`);
  log(`starts: cold ${cold.toFixed(0)} ms, warm ${warm.map((ms) => ms.toFixed(0)).join(' / ')} ms`);

  database = await createBenchDatabase();
  await upsertSuperuser(database.url);
  running = await bootStandalone({ databaseUrl: database.url });
  const ownerId = await createSchema(running.baseUrl);
  await running.stop();
  running = undefined;
  await seed(database.url);
  const context: ScenarioContext = { ownerId, postIds: await ownedPostIds(database.url, ownerId) };

  lines.push(
    '',
    `RSS (MiB) of each Node process: idle ${IDLE_SETTLE_MS / 1000} s after healthy, and the peak during ` +
      `${LOAD_SECONDS} s of records \`get\` (${VIEW.connections} connections, owner's token).`,
    '',
    '| shape | process | idle | under get load | get req/s |',
    '| --- | --- | ---: | ---: | ---: |',
  );
  const shapes = {
    standalone: () => bootStandalone({ databaseUrl: database?.url }),
    distributed: () => bootDistributed({ databaseUrl: database?.url ?? '' }),
  };
  for (const [shape, boot] of Object.entries(shapes)) {
    running = await boot();
    const shapeRunning = running;
    await new Promise((done) => setTimeout(done, IDLE_SETTLE_MS));
    await waitUntilIdle(shapeRunning);
    const idle = rssOf(shapeRunning);
    const signIn = await fetch(`${shapeRunning.baseUrl}/api/collections/users/auth-with-password`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ identity: OWNER.email, password: OWNER.password }),
    });
    const { token } = (await signIn.json()) as { token: string };
    let measured: Awaited<ReturnType<typeof measureHttp>> | undefined;
    const peak = await peakRss(shapeRunning, async () => {
      measured = await measureHttp({
        baseUrl: shapeRunning.baseUrl,
        token,
        connections: VIEW.connections,
        seconds: LOAD_SECONDS,
        requests: VIEW.http(context),
      });
    });
    expect(measured?.requests).toBeGreaterThan(0);
    log(`${shape}: ${measured ? summarize(measured) : ''}`);
    for (const name of Object.keys(idle)) {
      lines.push(
        `| ${shape} | ${name} | ${mib(idle[name])} | ${mib(peak[name])} | ${measured?.perSecond.toFixed(0) ?? ''} |`,
      );
    }
    await running.stop();
    running = undefined;
  }
  lines.push('', `Load average at the end: ${loadAverageNow()}.`);
  writeFileSync(OUTPUT, `${lines.join('\n')}\n`);
  log(`written to ${OUTPUT}`);
});
