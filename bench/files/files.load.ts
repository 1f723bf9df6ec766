import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import autocannon from 'autocannon';
import PocketBase from 'pocketbase';
import sharp from 'sharp';
import { afterAll, expect, it } from 'vitest';
import { bootStandalone, type RunningShape } from '../../e2e/src/support/boot-shape';
import { cpuBetween, shapeCpu, waitUntilIdle } from '../auth/cpu';
import { type BenchDatabase, createBenchDatabase, ROOT, upsertSuperuser } from '../records/seed';
import { startBareServer } from './bare-server';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
const UPLOAD_SECONDS = Number(process.env.BENCH_UPLOAD_SECONDS ?? 5);
const CONNECTIONS = 32;
const UPLOAD_CONNECTIONS = 8;
const MiB = 1024 * 1024;
const OUTPUT = resolve(__dirname, 'last-run.md');

const storageDir = mkdtempSync(join(tmpdir(), 'hb-bench-files-'));
let database: BenchDatabase | undefined;
let running: RunningShape | undefined;
let bare: Awaited<ReturnType<typeof startBareServer>> | undefined;

afterAll(async () => {
  await running?.stop();
  await bare?.stop();
  await database?.drop();
  await rm(storageDir, { recursive: true, force: true });
});

const log = (line: string) => process.stdout.write(`[bench:files] ${line}\n`);

interface Measurement {
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  failures: Record<string, number>;
}

interface LoadRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Buffer;
  headers?: Record<string, string>;
}

/**
 * autocannon without a response callback: with one it would collect every 1 MiB body as a string
 * in this process, which shares the machine's two cores with the servers.
 */
async function load(
  baseUrl: string,
  requests: LoadRequest[],
  connections: number,
  seconds: number,
): Promise<Measurement> {
  const result = await autocannon({
    url: baseUrl,
    connections,
    duration: seconds,
    timeout: 30,
    headers: {},
    requests: requests as unknown as Parameters<typeof autocannon>[0]['requests'],
  });
  const failures: Record<string, number> = {};
  let count = 0;
  for (const [status, { count: n }] of Object.entries(result.statusCodeStats)) {
    count += Number(n);
    if (!status.startsWith('2')) failures[status] = Number(n);
  }
  if (result.errors) failures.errors = result.errors;
  if (result.timeouts) failures.timeouts = result.timeouts;
  return {
    requests: count,
    perSecond: count / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures,
  };
}

interface Row {
  scenario: string;
  target: string;
  connections: number;
  measured: Measurement;
  /** CPU ms per request of the serving process(es). */
  cpuMs: number;
  /** MiB/s of response (or request) bodies. */
  mibPerSecond: number;
}

/** A warm-up, a wait until the server is idle, then the measured run with the server's CPU. */
async function measure(options: {
  baseUrl: string;
  requests: LoadRequest[];
  connections: number;
  seconds: number;
  cpuOf: () => Record<string, number>;
  idle: () => Promise<void>;
}): Promise<{ measured: Measurement; cpuSeconds: number }> {
  await load(options.baseUrl, options.requests, options.connections, WARMUP_SECONDS);
  await options.idle();
  const before = options.cpuOf();
  const measured = await load(options.baseUrl, options.requests, options.connections, options.seconds);
  const used = cpuBetween(before, options.cpuOf());
  return { measured, cpuSeconds: Object.values(used).reduce((sum, seconds) => sum + seconds, 0) };
}

it('measures file downloads (1 MiB, cached thumb) against a bare fs.createReadStream server, and 1 MiB uploads', async () => {
  database = await createBenchDatabase();
  await upsertSuperuser(database.url);
  running = await bootStandalone({ databaseUrl: database.url, env: { HB_STORAGE_DIR: storageDir, LOG_LEVEL: 'warn' } });
  const shape = running;
  const root = new PocketBase(shape.baseUrl);
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  await root.collections.create({
    name: 'media',
    type: 'base',
    listRule: '',
    viewRule: '',
    createRule: '',
    fields: [
      { name: 'doc', type: 'file', maxSelect: 1, maxSize: 4 * MiB },
      { name: 'image', type: 'file', maxSelect: 1, maxSize: 8 * MiB, thumbs: ['100x100'] },
    ],
  });

  // 1 MiB of incompressible bytes; a 1000x1000 noise PNG whose 100x100 thumb is served cached.
  const oneMiB = randomBytes(MiB);
  const image = await sharp(randomBytes(1000 * 1000 * 3), { raw: { width: 1000, height: 1000, channels: 3 } })
    .png()
    .toBuffer();
  const record = await root
    .collection('media')
    .create({ doc: new File([oneMiB], 'one.bin'), image: new File([image], 'noise.png') });
  const docPath = `/api/files/media/${record.id}/${record.doc}`;
  const thumbPath = `/api/files/media/${record.id}/${record.image}?thumb=100x100`;
  const thumb = Buffer.from(await (await fetch(`${shape.baseUrl}${thumbPath}`)).arrayBuffer());
  expect((await sharp(thumb).metadata()).width).toBe(100);
  expect(Buffer.from(await (await fetch(`${shape.baseUrl}${docPath}`)).arrayBuffer()).equals(oneMiB)).toBe(true);

  // The same bytes from a bare server, files on the same disk.
  const bareDir = mkdtempSync(join(tmpdir(), 'hb-bench-bare-'));
  writeFileSync(join(bareDir, 'one.bin'), oneMiB);
  writeFileSync(join(bareDir, 'thumb.png'), thumb);
  bare = await startBareServer({ '/one.bin': join(bareDir, 'one.bin'), '/thumb.png': join(bareDir, 'thumb.png') });
  const bareServer = bare;
  const bareCpu = () => cpuOfPid('bare', bareServer.child.pid);
  const idle = () => waitUntilIdle(shape);

  const rows: Row[] = [];
  const download = async (
    scenario: string,
    target: string,
    baseUrl: string,
    path: string,
    bytes: number,
    cpuOf: () => Record<string, number>,
  ) => {
    log(`${scenario} (${target})`);
    const { measured, cpuSeconds } = await measure({
      baseUrl,
      requests: [{ method: 'GET', path }],
      connections: CONNECTIONS,
      seconds: SECONDS,
      cpuOf,
      idle,
    });
    rows.push({
      scenario,
      target,
      connections: CONNECTIONS,
      measured,
      cpuMs: (cpuSeconds * 1000) / Math.max(1, measured.requests),
      mibPerSecond: (measured.perSecond * bytes) / MiB,
    });
  };
  await download('download 1 MiB file', 'bare', bareServer.baseUrl, '/one.bin', MiB, bareCpu);
  await download('download 1 MiB file', 'standalone', shape.baseUrl, docPath, MiB, () => shapeCpu(shape));
  await download('download cached 100x100 thumb', 'bare', bareServer.baseUrl, '/thumb.png', thumb.length, bareCpu);
  await download('download cached 100x100 thumb', 'standalone', shape.baseUrl, thumbPath, thumb.length, () =>
    shapeCpu(shape),
  );

  // Uploads: a new record with a 1 MiB file each (multipart, as the SDK sends it).
  const boundary = 'hb-bench-boundary';
  const body = Buffer.concat([
    Buffer.from(
      `--${boundary}\r\ncontent-disposition: form-data; name="doc"; filename="up.bin"\r\ncontent-type: application/octet-stream\r\n\r\n`,
    ),
    oneMiB,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  log('upload 1 MiB (standalone)');
  const upload = await measure({
    baseUrl: shape.baseUrl,
    requests: [
      {
        method: 'POST',
        path: '/api/collections/media/records',
        body,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      },
    ],
    connections: UPLOAD_CONNECTIONS,
    seconds: UPLOAD_SECONDS,
    cpuOf: () => shapeCpu(shape),
    idle,
  });
  rows.push({
    scenario: 'upload 1 MiB file (new record)',
    target: 'standalone',
    connections: UPLOAD_CONNECTIONS,
    measured: upload.measured,
    cpuMs: (upload.cpuSeconds * 1000) / Math.max(1, upload.measured.requests),
    mibPerSecond: upload.measured.perSecond,
  });
  await rm(bareDir, { recursive: true, force: true });

  const report = renderReport(rows);
  writeFileSync(OUTPUT, report);
  log(`\n${report}`);
  for (const row of rows) expect(row.measured.failures, `${row.scenario} ${row.target}`).toEqual({});
});

function cpuOfPid(name: string, pid: number | undefined): Record<string, number> {
  if (!pid) return { [name]: 0 };
  return shapeCpu({ baseUrl: '', processes: { [name]: { name, child: { pid } } } } as unknown as RunningShape);
}

function renderReport(rows: Row[]): string {
  const ratio = (scenario: string, value: (row: Row) => number) => {
    const base = rows.find((row) => row.scenario === scenario && row.target === 'bare');
    return (row: Row) => (row.target === 'bare' || !base ? '' : (value(row) / value(base)).toFixed(2));
  };
  const lines = [
    `${new Date().toISOString().slice(0, 10)}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), Node ${process.version}, ` +
      `${SECONDS} s per download scenario after ${WARMUP_SECONDS} s warm-up, uploads ${UPLOAD_SECONDS} s; ` +
      `load average at the end ${loadavg()
        .map((value) => value.toFixed(2))
        .join(' ')}`,
    '',
    '| scenario | target | conns | req/s | MiB/s | p50 ms | p99 ms | CPU ms/req | failures | req/s ÷ bare |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | ---: |',
    ...rows.map((row) => {
      const m = row.measured;
      const failures = Object.keys(m.failures).length === 0 ? '0' : JSON.stringify(m.failures);
      return `| ${row.scenario} | ${row.target} | ${row.connections} | ${m.perSecond.toFixed(0)} | ${row.mibPerSecond.toFixed(1)} | ${m.p50.toFixed(1)} | ${m.p99.toFixed(1)} | ${row.cpuMs.toFixed(2)} | ${failures} | ${ratio(row.scenario, (r) => r.measured.perSecond)(row)} |`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
