import { join, relative } from 'node:path';
import { registerCors } from '@hivebase/gateway';
import { type BaseConfig, closeOnSignals, countSuperusers, createHttpApp, listen, PG_POOL } from '@hivebase/server';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { startEmbeddedPostgres } from './embedded-postgres';
import { StandaloneModule } from './standalone.module';
import { standaloneConfig } from './standalone-config';

export interface StandaloneServer {
  app: NestFastifyApplication;
  port: number;
  /** Stops the embedded Postgres if this process started one (no-op otherwise). */
  stopDatabase(): Promise<void>;
  /** Closes the app, then the database it started. */
  close(): Promise<void>;
}

/** Resolves the database (DATABASE_URL, else embedded under `<dir>/postgres`) for `run`. */
export async function withDatabase<T>(
  config: BaseConfig,
  run: (config: BaseConfig & { databaseUrl: string }, stopDatabase: () => Promise<void>) => Promise<T>,
): Promise<T> {
  if (config.databaseUrl) return run({ ...config, databaseUrl: config.databaseUrl }, async () => {});
  const postgres = await startEmbeddedPostgres(config.dataDir);
  try {
    return await run({ ...config, databaseUrl: postgres.url }, postgres.stop);
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** Starts the whole of Hivebase in this process on `config.http`. */
export function startStandalone(config: BaseConfig): Promise<StandaloneServer> {
  return withDatabase(config, async (resolved, stopDatabase) => {
    const app = await createHttpApp(StandaloneModule.forRoot(resolved), {
      config: resolved,
      configureFastify: (fastify) => registerCors(fastify, resolved),
    });
    const port = await listen(app, resolved.http.host, resolved.http.port);
    return {
      app,
      port,
      stopDatabase,
      close: async () => {
        await app.close();
        await stopDatabase();
      },
    };
  });
}

/** `hivebase serve`: run until SIGINT/SIGTERM, then drain and stop embedded Postgres. */
export async function serve(config: BaseConfig): Promise<void> {
  const server = await startStandalone(config);
  closeOnSignals(server.app, config.shutdownTimeoutMs, server.stopDatabase);
  const hint = await firstSuperuserHint(server.app.get<Pool>(PG_POOL), config);
  if (hint) console.log(hint);
}

/**
 * On a database without superusers, how to create the first one. PocketBase prints an installer
 * link here; Hivebase has no installer page yet, so it prints the CLI command to run.
 */
export async function firstSuperuserHint(pool: Pool, config: BaseConfig): Promise<string | null> {
  if ((await countSuperusers(pool)) > 0) return null;
  const database = config.databaseUrl ? ' (with the same DATABASE_URL)' : '';
  return `No superuser yet. Create the first one${database} with:\n\n  ${firstSuperuserCommand(config)}\n`;
}

/**
 * The command creating a superuser on this config's database, with `--dir` unless it is the
 * default. `cli` defaults to this package's own `cli.js` (beside this file once built), so the
 * command works however `serve` was started; `npx hivebase` would not inside this repository.
 */
export function firstSuperuserCommand(config: BaseConfig, cli = cliInvocation()): string {
  const command = `${cli} superuser upsert EMAIL PASSWORD`;
  if (config.databaseUrl || config.dataDir === standaloneConfig({}, {}).dataDir) return command;
  return `${command} --dir ${shellWord(config.dataDir)}`;
}

function cliInvocation(): string {
  const cli = join(__dirname, 'cli.js');
  const fromHere = relative(process.cwd(), cli);
  return `node ${shellWord(fromHere.startsWith('..') ? cli : fromHere)}`;
}

/** `value` as one POSIX shell word: as it is when plainly safe, else single-quoted. */
function shellWord(value: string): string {
  return /^[\w./:@%+,=-]+$/.test(value) ? value : `'${value.replaceAll("'", `'\\''`)}'`;
}
