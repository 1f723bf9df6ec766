import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Readable } from 'node:stream';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { LocalStorageDriver } from '@hivebase/storage';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { restoreBackup } from '../src/backups/backup-restore';
import { writeBackup } from '../src/backups/backup-writer';

const packageDir = resolve(__dirname, '..');
const vitestBin = resolve(packageDir, '../../node_modules/vitest/vitest.mjs');

let database: TestDatabase;
let pool: pg.Pool;
let dir: string;
let files: LocalStorageDriver;
let backups: LocalStorageDriver;
let child: ChildProcess | undefined;

const put = (driver: LocalStorageDriver, key: string, text: string) =>
  driver.put(key, Readable.from([Buffer.from(text)]), { contentType: 'text/plain' });

const rows = async (table: string) => (await pool.query(`SELECT * FROM "${table}" ORDER BY 1`)).rows;
const tables = async () =>
  (await pool.query(`SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY 1`)).rows.map(
    (row) => row.tablename as string,
  );

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url });
  dir = await mkdtemp(join(tmpdir(), 'hb-restore-kill-'));
  files = new LocalStorageDriver(join(dir, 'storage'));
  backups = new LocalStorageDriver(join(dir, 'backups'));
  await pool.query(`CREATE TABLE alpha (id text PRIMARY KEY, n integer NOT NULL, payload text)`);
  await pool.query(`INSERT INTO alpha SELECT 'a' || g, g, repeat('x', 50) FROM generate_series(1, 20000) g`);
  await pool.query(`CREATE TABLE omega (id text PRIMARY KEY, ref text REFERENCES alpha (id), note text)`);
  await pool.query(`INSERT INTO omega SELECT 'o' || g, 'a' || g, 'before' FROM generate_series(1, 5000) g`);
  await put(files, 'c1/r1/kept.txt', 'kept');
  await put(files, 'c1/r2/deleted-later.txt', 'deleted later');
  await writeBackup({ pool, files, target: backups, key: 'kill.zip' });

  // What happened after the backup: the data a killed restore must leave exactly so.
  await pool.query(`UPDATE alpha SET payload = 'after' WHERE n % 2 = 0`);
  await pool.query(`DELETE FROM omega WHERE id IN ('o1', 'o2', 'o3')`);
  await pool.query(`CREATE TABLE later (id text PRIMARY KEY)`);
  await pool.query(`INSERT INTO later VALUES ('l1')`);
  await files.delete('c1/r2/deleted-later.txt');
  await put(files, 'c1/r3/new.txt', 'new');
});

afterAll(async () => {
  if (child?.exitCode === null) child.kill('SIGKILL');
  await pool?.end();
  await database?.drop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a restore killed midway', () => {
  it('leaves the old data whole (one transaction), then a full restore brings the backup back', async () => {
    const before = { alpha: await rows('alpha'), omega: await rows('omega'), later: await rows('later') };
    const tablesBefore = await tables();
    const marker = join(dir, 'marker.log');
    await writeFile(marker, '');
    child = spawn(process.execPath, [vitestBin, 'run', '--config', 'vitest.restore-child.config.mts'], {
      cwd: packageDir,
      env: {
        // A vitest of its own, not a worker of this one.
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('VITEST'))),
        HB_CHILD_DATABASE_URL: database.url,
        HB_CHILD_ARCHIVE: join(dir, 'backups', 'kill.zip'),
        HB_CHILD_STORAGE: join(dir, 'storage'),
        HB_CHILD_MARKER: marker,
        HB_CHILD_PAUSE_AT: 'copy omega',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk) => (output += chunk));
    child.stderr?.on('data', (chunk) => (output += chunk));
    const steps = await vi.waitFor(
      async () => {
        const text = await readFile(marker, 'utf8');
        if (!text.includes('copy omega\n')) throw new Error(`not there yet: ${text}\n--- child output\n${output}`);
        return text.split('\n');
      },
      { timeout: 90_000, interval: 50 },
    );
    // Truly mid-restore: alpha was dropped, recreated and refilled; the child's transaction holds it.
    expect(steps).toEqual(expect.arrayContaining(['files', 'drop', 'create', 'copy alpha', 'copy omega']));
    const held = await pool.query(
      `SELECT count(*)::int AS n FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
       WHERE a.application_name = 'hb-restore-child' AND l.mode = 'AccessExclusiveLock' AND l.granted`,
    );
    expect(held.rows[0].n).toBeGreaterThan(0);

    const pid = Number(steps.find((line) => line.startsWith('pid '))?.slice(4));
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');
    child.kill('SIGKILL');
    await vi.waitFor(
      async () => {
        const left = await pool.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'hb-restore-child'`,
        );
        expect(left.rows[0].n).toBe(0);
      },
      { timeout: 30_000, interval: 100 },
    );

    expect(await tables()).toEqual(tablesBefore);
    expect(await rows('alpha')).toEqual(before.alpha);
    expect(await rows('omega')).toEqual(before.omega);
    expect(await rows('later')).toEqual(before.later);
    // Files: the backup's were written first (same bytes), nothing was removed before a commit.
    expect(await files.list('')).toEqual(['c1/r1/kept.txt', 'c1/r2/deleted-later.txt', 'c1/r3/new.txt']);

    // The control: the same archive restored to the end is the backup's data.
    await restoreBackup({ pool, files, archivePath: join(dir, 'backups', 'kill.zip') });
    expect(await tables()).not.toContain('later');
    expect((await rows('alpha')).filter((row) => row.payload === 'after')).toEqual([]);
    expect(await rows('omega')).toHaveLength(5000);
    expect(await files.list('')).toEqual(['c1/r1/kept.txt', 'c1/r2/deleted-later.txt']);
  }, 180_000);
});
