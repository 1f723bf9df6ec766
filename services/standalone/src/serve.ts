import { registerCors } from '@hivebase/gateway';
import { type BaseConfig, closeOnSignals, createHttpApp, listen } from '@hivebase/server';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { startEmbeddedPostgres } from './embedded-postgres';
import { StandaloneModule } from './standalone.module';

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
}
