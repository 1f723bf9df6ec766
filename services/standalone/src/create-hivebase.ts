import type { Extension } from '@hivebase/runtime';
import { type StandaloneServer, startStandalone } from './serve';
import { standaloneConfig } from './standalone-config';

export interface CreateHivebaseOptions {
  /** Extensions defined in code (`defineExtension({...})`); those of `hooksDir` run after them. */
  extensions?: Extension[];
  /** `host:port` to listen on (default `127.0.0.1:8090`; port 0 picks a free one). */
  http?: string;
  /** Data directory (embedded Postgres and local files), as `serve --dir`. */
  dir?: string;
  /** Extensions directory, as `serve --hooksDir` (default: `hb_hooks` beside the data directory). */
  hooksDir?: string;
  /** An external Postgres instead of the embedded one. */
  databaseUrl?: string;
  /** The environment the rest of the config is read from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
}

/**
 * Builds and starts a standalone Hivebase (every service in this process) with extensions passed
 * in code, for servers bundled by their users. Resolves once it listens; `close()` stops it.
 */
export function createHivebase(options: CreateHivebaseOptions = {}): Promise<StandaloneServer> {
  const env = {
    ...(options.env ?? process.env),
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
  };
  const config = standaloneConfig({ http: options.http, dir: options.dir, hooksDir: options.hooksDir }, env);
  return startStandalone(config, { extensions: options.extensions ?? [] });
}
