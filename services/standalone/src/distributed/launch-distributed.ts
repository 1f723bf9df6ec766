import { type ChildProcess, spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { Logger } from '@nestjs/common';
import { createDatabaseIfMissing } from '../embedded-postgres';

export const SERVICE_PORTS = { gateway: 8090, collections: 8091, auth: 8092, files: 8093, realtime: 8094 } as const;
export type ServiceName = keyof typeof SERVICE_PORTS;
/** The services behind the gateway, in port order. */
export const BACKEND_SERVICES = ['collections', 'auth', 'files', 'realtime'] as const;
export type BackendService = (typeof BACKEND_SERVICES)[number];

export interface DistributedOptions {
  databaseUrl: string;
  redisUrl: string;
  host?: string;
  /** Port of the gateway; the services take the next four unless `ports` says otherwise. */
  gatewayPort?: number;
  ports?: Record<ServiceName, number>;
  /** Processes per service (default 1); replica r of the i-th service listens on gateway + 1 + i + 4r. */
  replicas?: number;
  /** Every replica's port per service, overriding the layout (tests pick free ports). */
  replicaPorts?: Record<BackendService, number[]>;
  env?: NodeJS.ProcessEnv;
}

/** One process of the distributed shape: `collections-2` is the second collections replica. */
export interface DistributedProcess {
  name: string;
  service: ServiceName;
  env: NodeJS.ProcessEnv;
}

/** Where each service's built entry point is (resolved through the workspace packages). */
export function entryOf(service: ServiceName): string {
  return `${dirname(require.resolve(`@hivebase/${service}/package.json`))}/dist/main.js`;
}

function layout(options: DistributedOptions): { gateway: number; services: Record<BackendService, number[]> } {
  if (options.replicaPorts) {
    return {
      gateway: options.ports?.gateway ?? options.gatewayPort ?? SERVICE_PORTS.gateway,
      services: options.replicaPorts,
    };
  }
  if (options.ports) {
    const ports = options.ports;
    return {
      gateway: ports.gateway,
      services: Object.fromEntries(BACKEND_SERVICES.map((service) => [service, [ports[service]]])) as Record<
        BackendService,
        number[]
      >,
    };
  }
  const base = options.gatewayPort ?? SERVICE_PORTS.gateway;
  const replicas = options.replicas ?? 1;
  const services = Object.fromEntries(
    BACKEND_SERVICES.map((service, index) => [
      service,
      Array.from({ length: replicas }, (_, replica) => base + 1 + index + BACKEND_SERVICES.length * replica),
    ]),
  ) as Record<BackendService, number[]>;
  return { gateway: base, services };
}

/**
 * Every process of the distributed shape on one machine with its environment: the gateway
 * (pointed at every replica, comma-separated) and each replica of each service.
 */
export function distributedProcesses(options: DistributedOptions): DistributedProcess[] {
  const host = options.host ?? '127.0.0.1';
  const ports = layout(options);
  const common = {
    ...(options.env ?? process.env),
    HB_MODE: 'distributed',
    DATABASE_URL: options.databaseUrl,
    REDIS_URL: options.redisUrl,
  };
  const upstream = (service: BackendService) =>
    ports.services[service].map((port) => `http://${host}:${port}`).join(',');
  const processes: DistributedProcess[] = [
    {
      name: 'gateway',
      service: 'gateway',
      env: {
        ...common,
        HB_HTTP: `${host}:${ports.gateway}`,
        HB_UPSTREAM_COLLECTIONS: upstream('collections'),
        HB_UPSTREAM_AUTH: upstream('auth'),
        HB_UPSTREAM_FILES: upstream('files'),
        HB_UPSTREAM_REALTIME: upstream('realtime'),
      },
    },
  ];
  for (const service of BACKEND_SERVICES) {
    const replicaPorts = ports.services[service];
    replicaPorts.forEach((port, replica) => {
      processes.push({
        name: replicaPorts.length === 1 ? service : `${service}-${replica + 1}`,
        service,
        env: { ...common, HB_HTTP: `${host}:${port}` },
      });
    });
  }
  return processes;
}

/** Per-service environment for the distributed shape with one process per service. */
export function distributedEnvironment(options: DistributedOptions): Record<ServiceName, NodeJS.ProcessEnv> {
  const processes = distributedProcesses({ ...options, replicas: 1, replicaPorts: undefined });
  return Object.fromEntries(processes.map((process) => [process.service, process.env])) as Record<
    ServiceName,
    NodeJS.ProcessEnv
  >;
}

/**
 * `hivebase start-distributed`: the five services as separate processes on loopback ports
 * (`replicas` processes of each service behind the one gateway).
 * A service that exits is reported loudly and not restarted (the gateway's health then says
 * which one is down); Ctrl-C stops them all.
 */
export async function launchDistributed(options: DistributedOptions): Promise<void> {
  const logger = new Logger('distributed');
  const databaseUrl = new URL(options.databaseUrl);
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  await createDatabaseIfMissing(adminUrl.toString(), decodeURIComponent(databaseUrl.pathname.slice(1)));

  const children = new Map<string, ChildProcess>();
  let stopping = false;

  // The services migrate at boot under an advisory lock, so starting them together is safe.
  for (const { name, service, env } of distributedProcesses(options)) {
    const child = spawn(process.execPath, [entryOf(service)], { env, stdio: 'inherit' });
    children.set(name, child);
    child.on('exit', (code, signal) => {
      children.delete(name);
      if (!stopping) {
        logger.error(`${name} exited (${signal ?? `code ${code}`}); it is NOT restarted`);
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
