import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { createDatabaseIfMissing } from '../embedded-postgres';

export const SERVICE_PORTS = { gateway: 8090, collections: 8091, auth: 8092, files: 8093, realtime: 8094 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;

export interface DistributedOptions {
  databaseUrl: string;
  redisUrl: string;
  host?: string;
  /** Port of the gateway; the services take the next four unless `ports` says otherwise. */
  gatewayPort?: number;
  ports?: Record<ServiceName, number>;
  env?: NodeJS.ProcessEnv;
}

/** Where each service's built entry point is (resolved through the workspace packages). */
export function entryOf(service: ServiceName): string {
  return `${dirname(require.resolve(`@hivebase/${service}/package.json`))}/dist/main.js`;
}

/** Per-service environment for the distributed shape on one machine. */
export function distributedEnvironment(options: DistributedOptions): Record<ServiceName, NodeJS.ProcessEnv> {
  const host = options.host ?? '127.0.0.1';
  const base = options.gatewayPort ?? SERVICE_PORTS.gateway;
  const ports = options.ports ?? {
    gateway: base,
    collections: base + 1,
    auth: base + 2,
    files: base + 3,
    realtime: base + 4,
  };
  const common = {
    ...(options.env ?? process.env),
    HB_MODE: 'distributed',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
  };
  const url = (service: ServiceName) => `http://${host}:${ports[service]}`;
  const env = (service: ServiceName, extra: NodeJS.ProcessEnv = {}) => ({
    ...common,
    HB_HTTP: `${host}:${ports[service]}`,
    ...extra,
  });
  return {
    gateway: env('gateway', {
      HB_UPSTREAM_COLLECTIONS: url('collections'),
      HB_UPSTREAM_AUTH: url('auth'),
      HB_UPSTREAM_FILES: url('files'),
      HB_UPSTREAM_REALTIME: url('realtime'),
    }),
    collections: env('collections'),
    auth: env('auth'),
    files: env('files'),
    realtime: env('realtime'),
  };
}

/**
 * `hivebase start-distributed`: the five services as separate processes on loopback ports.
 * A service that exits is reported loudly and not restarted (the gateway's health then says
 * which one is down); Ctrl-C stops them all.
 */
export async function launchDistributed(options: DistributedOptions): Promise<void> {
  const logger = new Logger('distributed');
  const databaseUrl = new URL(options.databaseUrl);
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  await createDatabaseIfMissing(adminUrl.toString(), decodeURIComponent(databaseUrl.pathname.slice(1)));

  const environments = distributedEnvironment(options);
  const children = new Map<ServiceName, ChildProcess>();
  let stopping = false;

  // The services migrate at boot under an advisory lock, so starting them together is safe.
  for (const service of Object.keys(environments) as ServiceName[]) {
    const child = spawn(process.execPath, [entryOf(service)], { env: environments[service], stdio: 'inherit' });
    children.set(service, child);
    child.on('exit', (code, signal) => {
      children.delete(service);
      if (!stopping) {
        logger.error(`${service} exited (${signal ?? `code ${code}`}); it is NOT restarted`);
      }
      if (children.size === 0) process.exit(stopping ? 0 : 1);
    });
  }
  logger.log(`gateway on http://${options.host ?? '127.0.0.1'}:${options.gatewayPort ?? SERVICE_PORTS.gateway}`);

  const stopAll = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.log(`${signal}: stopping ${[...children.keys()].join(', ')}`);
    for (const child of children.values()) child.kill('SIGTERM');
  };
  process.on('SIGINT', () => stopAll('SIGINT'));
  process.on('SIGTERM', () => stopAll('SIGTERM'));
}
