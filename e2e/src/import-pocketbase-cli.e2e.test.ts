import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import Database from 'better-sqlite3';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootStandalone, CLI } from './support/boot-shape';

// The command as a script sees it: exit codes, the report on stdout, progress lines on stderr.
// (services/standalone/test/import-pocketbase.test.ts covers what the import carries.)

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the built CLI; with `killWhen`, SIGKILLs it once its stderr matches (a crash mid-import). */
function hivebase(args: string[], databaseUrl: string, killWhen?: RegExp): Promise<Outcome> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
    if (killWhen?.test(stderr)) child.kill('SIGKILL');
  });
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

const FIELD = (type: string, name: string, extra: Record<string, unknown> = {}) => ({
  id: `${type}_${name}`,
  name,
  type,
  system: false,
  hidden: false,
  presentable: false,
  required: false,
  ...extra,
});

/** A minimal pb_data: `_collections` and one table per collection, in PocketBase's layout. */
function pbData(dir: string, collections: string[], rows = 3): void {
  mkdirSync(dir, { recursive: true });
  const db = new Database(join(dir, 'data.db'));
  db.exec(`CREATE TABLE _collections (id TEXT PRIMARY KEY NOT NULL, system BOOLEAN DEFAULT FALSE NOT NULL,
    type TEXT DEFAULT 'base' NOT NULL, name TEXT UNIQUE NOT NULL, fields JSON DEFAULT '[]' NOT NULL,
    indexes JSON DEFAULT '[]' NOT NULL, listRule TEXT, viewRule TEXT, createRule TEXT, updateRule TEXT,
    deleteRule TEXT, options JSON DEFAULT '{}' NOT NULL, created TEXT DEFAULT '' NOT NULL, updated TEXT DEFAULT '' NOT NULL)`);
  for (const [index, name] of collections.entries()) {
    const fields = [
      FIELD('text', 'id', { primaryKey: true, required: true, system: true, min: 15, max: 15, pattern: '^[a-z0-9]+$' }),
      FIELD('text', 'body'),
    ];
    db.prepare('INSERT INTO _collections (id, name, fields, listRule, created) VALUES (?, ?, ?, ?, ?)').run(
      `pbc_cli_${name.replace(/\W/g, '')}`,
      name,
      JSON.stringify(fields),
      '',
      `2025-01-01 00:00:0${index}.000Z`,
    );
    db.exec(`CREATE TABLE \`${name}\` (id TEXT PRIMARY KEY NOT NULL, body TEXT DEFAULT '' NOT NULL)`);
    const insert = db.prepare(`INSERT INTO \`${name}\` (id, body) VALUES (?, ?)`);
    const prefix = name.replace(/\W/g, '').padEnd(5, 'x').slice(0, 5);
    db.transaction(() => {
      for (let i = 0; i < rows; i++) insert.run(`${prefix}${String(i).padStart(10, '0')}`, `row ${i}`);
    })();
  }
  db.close();
}

describe('hivebase import pocketbase (the command)', () => {
  let work: string;
  let database: TestDatabase;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'hb-e2e-pbimport-'));
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('a directory it cannot use: exit 1, one line on stderr, nothing on stdout', async () => {
    const result = await hivebase(['import', 'pocketbase', join(work, 'nowhere')], database.url);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim()).toMatch(/^\S+nowhere: no such directory \(pass PocketBase's pb_data directory\)$/);
  });

  it('a full import: exit 0, the report on stdout, plain progress lines on stderr; a re-run copies nothing', async () => {
    const dir = join(work, 'clean');
    pbData(dir, ['notes']);
    const first = await hivebase(['import', 'pocketbase', dir], database.url);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stdout).toContain('collections: 1 created, 0 updated');
    expect(first.stdout).toContain('records: 3 copied, 0 already present, 0 failed');
    expect(first.stderr).toContain('records notes: 0/3\n');
    expect(first.stderr).toContain('records notes: 3/3 done\n');

    const again = await hivebase(['import', 'pocketbase', dir], database.url);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('collections: 0 created, 0 updated, 1 unchanged');
    expect(again.stdout).toContain('records: 0 copied, 3 already present, 0 failed');

    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      expect((await client.query('SELECT body FROM notes ORDER BY id')).rows.map((row) => row.body)).toEqual([
        'row 0',
        'row 1',
        'row 2',
      ]);
    } finally {
      await client.end();
    }
  });

  it('a collection Hivebase cannot take: the rest is imported, the report says why, exit 2', async () => {
    const dir = join(work, 'reserved');
    pbData(dir, ['memos', '_outbox']);
    const result = await hivebase(['import', 'pocketbase', dir], database.url);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('+ memos');
    expect(result.stdout).toMatch(/\[error\] collection _outbox: .*reserved/);
    expect(result.stdout).toContain('[error] records _outbox: not copied: the collection was not imported');
  });

  it('killed mid-import (SIGKILL), it leaves whole pages only; the next run completes it', async () => {
    const dir = join(work, 'bulk');
    const total = 30_000;
    pbData(dir, ['bulk'], total);
    const killed = await hivebase(['import', 'pocketbase', dir], database.url, /records bulk: [1-9]\d*\/30000\n/);
    expect(killed.code).toBeNull();
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      const copied = Number((await client.query('SELECT count(*) AS n FROM bulk')).rows[0].n);
      expect(copied).toBeGreaterThan(0);
      expect(copied).toBeLessThan(total);
      // Pages of 500 rows, each one statement: a kill never leaves part of one.
      expect(copied % 500).toBe(0);

      const resumed = await hivebase(['import', 'pocketbase', dir], database.url);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toContain(`bulk: ${total} in PocketBase, ${total - copied} copied, ${copied} present`);
      expect(Number((await client.query('SELECT count(*) AS n FROM bulk')).rows[0].n)).toBe(total);
    } finally {
      await client.end();
    }
  });

  it('with no DATABASE_URL, imports into the embedded Postgres of --dir, the one a running serve already has', async () => {
    // Its own temporary directory: embedded Postgres (as user postgres) must be able to enter it.
    const hbDir = mkdtempSync(join(tmpdir(), 'hb-e2e-pbimport-hb-'));
    const running = await bootStandalone({ dir: hbDir });
    try {
      const source = join(work, 'embedded');
      pbData(source, ['journal']);
      const result = await hivebase(['import', 'pocketbase', source, '--dir', hbDir], '');
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('records: 3 copied');
      // The running server has no bus to the command: its schema version check (every 2 s) finds the change.
      const client = new PocketBase(running.baseUrl);
      const bodies = () =>
        client
          .collection('journal')
          .getFullList({ sort: 'id' })
          .then((rows) => rows.map((row) => row.body))
          .catch(() => []);
      await expect.poll(bodies, { timeout: 10_000, interval: 250 }).toEqual(['row 0', 'row 1', 'row 2']);
    } finally {
      await running.stop();
      rmSync(hbDir, { recursive: true, force: true });
    }
  });
});
