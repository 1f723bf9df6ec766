import { readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { resolve } from 'node:path';
import { freePort } from '@hivebase/platform';
import { randomString } from '@hivebase/schema';
import { distributedEnvironment, type ServiceName } from '@hivebase/standalone';
import PocketBase from 'pocketbase';
import { afterAll, expect, it } from 'vitest';
import { CLI, type RunningProcess, start, waitForHealthy } from '../../e2e/src/support/boot-shape';
import { type BenchDatabase, createBenchDatabase } from '../records/seed';
import { heapSnapshotArgs, liveHeapBytes } from './heap-snapshots';
import { type Arrivals, inBatches, openSse, type SseClient } from './sse-clients';

const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 10_000);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const WRITES_PER_SECOND = Number(process.env.BENCH_WRITES_PER_SECOND ?? 20);
/** Owners of the records: each `feed/*` subscriber is signed in as one of them. */
const USERS = Number(process.env.BENCH_USERS ?? 5);
/** Records that `feed/ID` subscribers watch (updated by half the writes). */
const TARGETS = Number(process.env.BENCH_TARGETS ?? 50);
const CPU_PROF_DIR = process.env.BENCH_CPU_PROF_DIR;
// Where the realtime processes write heap snapshots (before and after the streams open), if set.
const HEAP_DIR = process.env.BENCH_HEAP_DIR;
const SUPERUSER = { email: 'bench-root@example.com', password: 'bench-root-password' };
const OWNER_RULE = 'owner = @request.auth.id';
const SERVICES_DIR = resolve(__dirname, '../../services');
const OUTPUT = resolve(__dirname, 'last-run.md');
// Vitest's environment silences logs; the servers' warnings and errors explain failed writes.
const SERVER_LOG = { LOG_LEVEL: 'warn' };

interface Shape {
  baseUrl: string;
  /** Ports of the realtime processes, addressed directly by the load. */
  realtimePorts: number[];
  realtimePids: number[];
  /** What the server processes printed (warnings and errors). */
  output(): string;
  stop(): Promise<void>;
}

interface Result {
  shape: string;
  failedWrites: number;
  /** CPU of the load process itself (of one core) while deliveries arrived: near 100 means it was the limit. */
  loadCpuPercent: number;
  clients: number;
  writesPerSecond: number;
  expected: number;
  delivered: number;
  perSecond: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** The same from the write request's start (its own queueing on a busy server included). */
  requestP50: number;
  requestP95: number;
  bytesPerIdleClient: number;
  /** RSS growth per stream over the second half of the streams: the marginal cost. */
  marginalBytesPerIdleClient: number;
  /** Retained JS heap per stream (heap snapshots before and after), with BENCH_HEAP_DIR. */
  heapBytesPerIdleClient?: number;
}

let database: BenchDatabase | undefined;
let shape: Shape | undefined;

afterAll(async () => {
  await shape?.stop();
  await database?.drop();
});

const log = (line: string) => process.stdout.write(`[bench:realtime] ${line}\n`);
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
// Node refuses --cpu-prof in NODE_OPTIONS: it goes before the entry point.
const nodeArgs = (): string[] => [
  ...(CPU_PROF_DIR ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF_DIR}`] : []),
  ...(HEAP_DIR ? heapSnapshotArgs(HEAP_DIR) : []),
];
const liveHeaps = (pids: number[]) =>
  HEAP_DIR ? Promise.all(pids.map((pid) => liveHeapBytes(pid, HEAP_DIR))) : Promise.resolve(undefined);

function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

async function bootStandaloneShape(databaseUrl: string): Promise<Shape> {
  const port = await freePort();
  const server = start('standalone', [...nodeArgs(), CLI, 'serve', '--http', `127.0.0.1:${port}`], {
    ...process.env,
    ...SERVER_LOG,
    DATABASE_URL: databaseUrl,
  });
  const baseUrl = `http://127.0.0.1:${port}`;
  const stop = async () => void (await server.stop());
  try {
    await waitForHealthy(`${baseUrl}/api/health`, [server]);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, realtimePorts: [port], realtimePids: [server.child.pid ?? 0], output: server.output, stop };
}

/** The five services plus a second realtime replica; the load talks to both replicas directly. */
async function bootDistributedShape(databaseUrl: string): Promise<Shape> {
  const names: ServiceName[] = ['collections', 'auth', 'files', 'realtime', 'gateway'];
  const ports = Object.fromEntries(await Promise.all(names.map(async (s) => [s, await freePort()]))) as Record<
    ServiceName,
    number
  >;
  const environments = distributedEnvironment({
    databaseUrl,
    redisUrl: 'redis://127.0.0.1:6379',
    ports,
    env: { ...process.env, ...SERVER_LOG, HB_REDIS_PREFIX: `hb-bench-${randomString(8)}` },
  });
  const processes: RunningProcess[] = [];
  const entry = (service: ServiceName) => `${SERVICES_DIR}/${service}/dist/main.js`;
  for (const service of names) {
    const args = service === 'realtime' ? [...nodeArgs(), entry(service)] : [entry(service)];
    processes.push(start(service, args, environments[service]));
  }
  const second = await freePort();
  const realtime2 = start('realtime-2', [...nodeArgs(), entry('realtime')], {
    ...environments.realtime,
    HB_HTTP: `127.0.0.1:${second}`,
  });
  processes.push(realtime2);
  const baseUrl = `http://127.0.0.1:${ports.gateway}`;
  const stop = async () => void (await Promise.all(processes.map((p) => p.stop())));
  try {
    await waitForHealthy(`${baseUrl}/api/health`, processes, 120_000);
    await waitForHealthy(`http://127.0.0.1:${second}/api/health`, processes, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  const realtime1 = processes[names.indexOf('realtime')];
  return {
    baseUrl,
    realtimePorts: [ports.realtime, second],
    realtimePids: [realtime1.child.pid ?? 0, realtime2.child.pid ?? 0],
    output: () => processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n'),
    stop,
  };
}

interface Fixture {
  users: { id: string; email: string }[];
  targets: { id: string; owner: string }[];
}

/** Users and the `feed` collection (owner rule on list and view) with the records `feed/ID` watches. */
async function createFixture(root: PocketBase): Promise<Fixture> {
  const users = await root.collections.getOne('users');
  await root.collections.create({
    name: 'feed',
    type: 'base',
    listRule: OWNER_RULE,
    viewRule: OWNER_RULE,
    fields: [
      { name: 'title', type: 'text' },
      { name: 'sentAt', type: 'number' },
      { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
      // The server's write time: latency is measured from it.
      { name: 'updated', type: 'autodate', onCreate: true, onUpdate: true },
    ],
  });
  const created: Fixture['users'] = [];
  for (let i = 0; i < USERS; i++) {
    const email = `owner${i}@example.com`;
    const user = await root
      .collection('users')
      .create({ email, password: 'owner-password', passwordConfirm: 'owner-password' });
    created.push({ id: user.id, email });
  }
  const targets: Fixture['targets'] = [];
  for (let i = 0; i < TARGETS; i++) {
    const owner = created[i % USERS].id;
    const record = await root.collection('feed').create({ title: `target ${i}`, sentAt: 0, owner });
    targets.push({ id: record.id, owner });
  }
  return { users: created, targets };
}

async function measure(name: string, current: Shape, fixture: Fixture): Promise<Result> {
  const root = new PocketBase(current.baseUrl);
  root.autoCancellation(false);
  await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
  const tokens = new Map<string, string>();
  for (const user of fixture.users) {
    const pb = new PocketBase(current.baseUrl);
    await pb.collection('users').authWithPassword(user.email, 'owner-password');
    tokens.set(user.id, pb.authStore.token);
  }

  const arrivals: Arrivals = { count: 0, latencies: [], requestLatencies: [], recording: false, last: 0 };
  const heapBefore = await liveHeaps(current.realtimePids);
  const rssBefore = current.realtimePids.map(rssBytes);
  const streams: SseClient[] = [];
  const listenersOf = new Map<string, number>(); // `*:<owner>` and `id:<record>` → subscriber count
  const openStreams = (from: number, to: number) =>
    inBatches(
      Array.from({ length: to - from }, (_, k) => from + k),
      100,
      async (i) => {
        const port = current.realtimePorts[i % current.realtimePorts.length];
        const stream = await openSse(port, arrivals);
        streams.push(stream);
        const pair = Math.floor(i / 2);
        const [topic, owner, key] =
          i % 2 === 0
            ? ['feed/*', fixture.users[pair % USERS].id, `*:${fixture.users[pair % USERS].id}`]
            : [
                `feed/${fixture.targets[pair % TARGETS].id}`,
                fixture.targets[pair % TARGETS].owner,
                `id:${fixture.targets[pair % TARGETS].id}`,
              ];
        const response = await fetch(`http://127.0.0.1:${port}/api/realtime`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: tokens.get(owner) ?? '' },
          body: JSON.stringify({ clientId: stream.clientId, subscriptions: [topic] }),
        });
        if (response.status !== 204) throw new Error(`subscribe answered ${response.status}: ${await response.text()}`);
        listenersOf.set(key, (listenersOf.get(key) ?? 0) + 1);
      },
    );
  const opening = Date.now();
  // Two halves: the second half's growth is the marginal cost of a stream, without the one-time
  // growth (young-generation spaces, code, buffers) that the first streams bring.
  const half = Math.floor(CLIENTS / 2);
  await openStreams(0, half);
  await sleep(3_000);
  const rssHalf = current.realtimePids.map(rssBytes);
  await openStreams(half, CLIENTS);
  log(`${name}: ${CLIENTS} streams open and subscribed in ${Date.now() - opening} ms`);
  await sleep(3_000);
  const rssAfter = current.realtimePids.map(rssBytes);
  const bytesPerIdleClient = rssAfter.reduce((sum, rss, at) => sum + rss - rssBefore[at], 0) / CLIENTS;
  const heapAfter = await liveHeaps(current.realtimePids);
  const heapBytesPerIdleClient =
    heapBefore && heapAfter
      ? heapAfter.reduce((sum, bytes, at) => sum + bytes - heapBefore[at], 0) / CLIENTS
      : undefined;
  const marginalBytesPerIdleClient = rssAfter.reduce((sum, rss, at) => sum + rss - rssHalf[at], 0) / (CLIENTS - half);
  log(
    `${name}: RSS ${rssBefore.map((b) => (b / 2 ** 20).toFixed(0))} → ${rssHalf.map((b) => (b / 2 ** 20).toFixed(0))} (half the streams) → ${rssAfter.map((b) => (b / 2 ** 20).toFixed(0))} MiB`,
  );

  // Writes at a steady rate: even ones create a record of a rotating owner, odd ones update a target.
  arrivals.recording = true;
  const loadCpuBefore = process.cpuUsage();
  let expected = 0;
  const failures: string[] = [];
  const writes: Promise<void>[] = [];
  const total = SECONDS * WRITES_PER_SECOND;
  const startedAt = Date.now();
  const headers = { 'content-type': 'application/json', authorization: root.authStore.token };
  for (let n = 0; n < total; n++) {
    const due = startedAt + (n * 1000) / WRITES_PER_SECOND;
    if (due > Date.now()) await sleep(due - Date.now());
    const create = n % 2 === 0;
    const target = fixture.targets[Math.floor(n / 2) % TARGETS];
    const owner = create ? fixture.users[Math.floor(n / 2) % USERS].id : target.owner;
    const wants = (listenersOf.get(`*:${owner}`) ?? 0) + (create ? 0 : (listenersOf.get(`id:${target.id}`) ?? 0));
    const url = create
      ? `${current.baseUrl}/api/collections/feed/records`
      : `${current.baseUrl}/api/collections/feed/records/${target.id}`;
    writes.push(
      fetch(url, {
        method: create ? 'POST' : 'PATCH',
        headers,
        body: JSON.stringify({ title: `write ${n}`, sentAt: Date.now(), owner }),
      }).then(
        async (response) => {
          const body = await response.text();
          if (response.ok) expected += wants;
          else failures.push(`${create ? 'POST' : 'PATCH'} ${response.status} ${body.slice(0, 200)}`);
        },
        (error: unknown) => void failures.push(String(error)),
      ),
    );
  }
  const writeSeconds = (Date.now() - startedAt) / 1000;
  await Promise.all(writes);
  if (failures.length > 0) {
    // A failed write has no event: it is left out of what was expected, and reported.
    log(`${name}: ${failures.length} of ${total} writes failed, e.g. ${failures[0]}`);
    log(`server output (tail):\n${current.output().slice(-3000)}`);
  }
  const drainDeadline = Date.now() + 15_000;
  while (arrivals.count < expected && Date.now() < drainDeadline) await sleep(100);
  arrivals.recording = false;
  const loadCpu = process.cpuUsage(loadCpuBefore);
  // Deliveries per second over the time they took to arrive: from the first write to the last arrival.
  const deliverySeconds = Math.max(writeSeconds, (arrivals.last - startedAt) / 1000);
  const loadCpuPercent = Math.round((100 * (loadCpu.user + loadCpu.system)) / 1e6 / deliverySeconds);
  const sorted = Float64Array.from(arrivals.latencies).sort();
  const latencies = Array.from(sorted);
  const fromRequest = Array.from(Float64Array.from(arrivals.requestLatencies).sort());
  for (const stream of streams) stream.request.destroy();
  const result: Result = {
    shape: name,
    failedWrites: failures.length,
    clients: CLIENTS,
    writesPerSecond: WRITES_PER_SECOND,
    expected,
    delivered: arrivals.count,
    perSecond: Math.round(arrivals.count / deliverySeconds),
    loadCpuPercent,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? Number.NaN,
    requestP50: percentile(fromRequest, 50),
    requestP95: percentile(fromRequest, 95),
    bytesPerIdleClient: Math.round(bytesPerIdleClient),
    marginalBytesPerIdleClient: Math.round(marginalBytesPerIdleClient),
    heapBytesPerIdleClient: heapBytesPerIdleClient === undefined ? undefined : Math.round(heapBytesPerIdleClient),
  };
  log(`${name}: ${JSON.stringify(result)}`);
  return result;
}

function report(results: Result[], loadBefore: number[]): string {
  const lines = [
    `Realtime bench, ${new Date().toISOString()}, ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} at the start, ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at the end.`,
    '',
    '| shape | streams | writes/s (failed) | delivered / expected | deliveries/s | p50 ms | p95 ms | p99 ms | max ms | from request p50 / p95 ms | RSS per idle stream (all / second half) | live heap per idle stream | load process CPU |',
    '| ----- | ------: | ----------------: | -------------------: | -----------: | -----: | -----: | -----: | -----: | ------------------------: | ------------------: | ------------------------: | ---------------: |',
    ...results.map(
      (r) =>
        `| ${r.shape} | ${r.clients} | ${r.writesPerSecond} (${r.failedWrites}) | ${r.delivered} / ${r.expected} | ${r.perSecond} | ${r.p50} | ${r.p95} | ${r.p99} | ${r.max} | ${r.requestP50} / ${r.requestP95} | ${(r.bytesPerIdleClient / 1024).toFixed(1)} / ${(r.marginalBytesPerIdleClient / 1024).toFixed(1)} KiB | ${r.heapBytesPerIdleClient === undefined ? '–' : `${(r.heapBytesPerIdleClient / 1024).toFixed(1)} KiB`} | ${r.loadCpuPercent} % |`,
    ),
  ];
  return `${lines.join('\n')}\n`;
}

it('measures realtime fan-out: create→receive latency and deliveries per second', async () => {
  const loadBefore = loadavg();
  database = await createBenchDatabase();
  const cli = start('superuser', [CLI, 'superuser', 'upsert', SUPERUSER.email, SUPERUSER.password], {
    ...process.env,
    DATABASE_URL: database.url,
  });
  await new Promise((done) => cli.child.once('exit', done));
  const results: Result[] = [];
  const only = process.env.BENCH_SHAPES?.split(',') ?? ['standalone', 'distributed'];
  let fixture: Fixture | undefined;
  for (const name of only) {
    shape = name === 'standalone' ? await bootStandaloneShape(database.url) : await bootDistributedShape(database.url);
    if (!fixture) {
      const root = new PocketBase(shape.baseUrl);
      await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
      fixture = await createFixture(root);
    }
    results.push(
      await measure(name === 'standalone' ? 'standalone' : 'distributed, 2 realtime replicas', shape, fixture),
    );
    await shape.stop();
    shape = undefined;
  }
  const text = report(results, loadBefore);
  writeFileSync(OUTPUT, text);
  log(`\n${text}`);
  for (const result of results) expect(result.delivered).toBeGreaterThan(0);
});
