import { type ChildProcess, spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { freePort } from '@hivebase/platform';
import { randomString } from '@hivebase/schema';
import { distributedEnvironment, distributedProcesses, type ServiceName } from '@hivebase/standalone';

const SERVICES_DIR = resolve(__dirname, '../../../services');
export const CLI = resolve(SERVICES_DIR, 'standalone/dist/cli.js');
const entryOf = (service: ServiceName) => resolve(SERVICES_DIR, service, 'dist/main.js');

export interface RunningProcess {
  name: string;
  child: ChildProcess;
  output(): string;
  /** SIGTERM, then wait for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
}

export interface RunningShape {
  baseUrl: string;
  processes: Record<string, RunningProcess>;
  stop(): Promise<void>;
}

/** Spawns a built entry point, keeping its output for failure messages. */
export function start(name: string, args: string[], env: NodeJS.ProcessEnv): RunningProcess {
  const child = spawn(process.execPath, args, {
    env: { LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => (output += chunk));
  child.stderr?.on('data', (chunk) => (output += chunk));
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return {
    name,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Polls `url` until it answers 200, failing with the processes' output after `timeoutMs`. */
export async function waitForHealthy(url: string, processes: RunningProcess[], timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const dead = processes.find((p) => p.child.exitCode !== null);
    if (dead) throw new Error(`${dead.name} exited with ${dead.child.exitCode}:\n${dead.output()}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await new Promise((done) => setTimeout(done, 200));
  }
  throw new Error(
    `${url} not healthy after ${timeoutMs} ms:\n${processes.map((p) => `--- ${p.name}\n${p.output()}`).join('\n')}`,
  );
}

/** The one-process shape (`hivebase serve`) on a free port. No `databaseUrl` → embedded Postgres in `dir`. */
export async function bootStandalone(options: {
  databaseUrl?: string;
  dir?: string;
  env?: NodeJS.ProcessEnv;
}): Promise<RunningShape> {
  const port = await freePort();
  const args = [CLI, 'serve', '--http', `127.0.0.1:${port}`, ...(options.dir ? ['--dir', options.dir] : [])];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, DATABASE_URL: options.databaseUrl ?? '' };
  const server = start('standalone', args, env);
  const baseUrl = `http://127.0.0.1:${port}`;
  try {
    await waitForHealthy(`${baseUrl}/api/health`, [server]);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { baseUrl, processes: { standalone: server }, stop: async () => void (await server.stop()) };
}

const SERVICES: ServiceName[] = ['collections', 'auth', 'files', 'realtime', 'gateway'];

/** The five services as separate processes on free loopback ports, the gateway in front. */
export async function bootDistributed(options: {
  databaseUrl: string;
  redisUrl?: string;
  /** Added to every process's environment. */
  env?: NodeJS.ProcessEnv;
}): Promise<RunningShape> {
  const ports = Object.fromEntries(await Promise.all(SERVICES.map(async (s) => [s, await freePort()]))) as Record<
    ServiceName,
    number
  >;
  const environments = distributedEnvironment({
    databaseUrl: options.databaseUrl,
    redisUrl: options.redisUrl ?? 'redis://127.0.0.1:6379',
    ports,
    // Its own Redis namespace: shapes booted side by side must not take each other's jobs.
    env: {
      ...process.env,
      HB_HEALTH_TIMEOUT_MS: '1000',
      HB_REDIS_PREFIX: `hb-e2e-${randomString(8)}`,
      ...options.env,
    },
  });
  const processes = Object.fromEntries(
    SERVICES.map((service) => [service, start(service, [entryOf(service)], environments[service])]),
  );
  const baseUrl = `http://127.0.0.1:${ports.gateway}`;
  const stop = async () => void (await Promise.all(Object.values(processes).map((p) => p.stop())));
  try {
    await waitForHealthy(`${baseUrl}/api/health`, Object.values(processes));
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, processes, stop };
}

/** Waits until `process`'s output matches `pattern` and returns the match; fails with the output if it exits first or after `timeoutMs`. */
export async function waitForOutput(
  running: RunningProcess,
  pattern: RegExp,
  timeoutMs = 30_000,
): Promise<RegExpMatchArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const match = running.output().match(pattern);
    if (match) return match;
    if (running.child.exitCode !== null || Date.now() > deadline) {
      throw new Error(`${running.name} never printed ${pattern}:\n${running.output()}`);
    }
    await new Promise((done) => setTimeout(done, 100));
  }
}

/**
 * The distributed shape with `replicas` processes of every service on free loopback ports, the
 * gateway in front pointed at all of them (`start-distributed --replicas N`). Processes are named
 * `collections-1`, `collections-2`, …; `env` goes to every process (`backendEnv` to the services only).
 */
export async function bootReplicated(options: {
  databaseUrl: string;
  replicas: number;
  env?: NodeJS.ProcessEnv;
  backendEnv?: NodeJS.ProcessEnv;
}): Promise<RunningShape & { environments: Record<string, NodeJS.ProcessEnv> }> {
  const backends = ['collections', 'auth', 'files', 'realtime'] as const;
  const freePorts = async (count: number) => Promise.all(Array.from({ length: count }, () => freePort()));
  const replicaPorts = Object.fromEntries(
    await Promise.all(backends.map(async (service) => [service, await freePorts(options.replicas)])),
  ) as Record<(typeof backends)[number], number[]>;
  const gatewayPort = await freePort();
  const processList = distributedProcesses({
    databaseUrl: options.databaseUrl,
    redisUrl: 'redis://127.0.0.1:6379',
    gatewayPort,
    replicaPorts,
    env: {
      ...process.env,
      HB_HEALTH_TIMEOUT_MS: '1000',
      HB_REDIS_PREFIX: `hb-e2e-${randomString(8)}`,
      ...options.env,
    },
  });
  const environments = Object.fromEntries(
    processList.map(({ name, service, env }) => [
      name,
      service === 'gateway' ? env : { ...env, ...options.backendEnv },
    ]),
  );
  const processes: Record<string, RunningProcess> = {};
  // Services first: the gateway resolves its upstreams when it starts.
  for (const { name, service } of [...processList.slice(1), processList[0]]) {
    processes[name] = start(name, [entryOf(service)], environments[name]);
  }
  const baseUrl = `http://127.0.0.1:${gatewayPort}`;
  const stop = async () => void (await Promise.all(Object.values(processes).map((p) => p.stop())));
  try {
    await waitForHealthy(`${baseUrl}/api/health`, Object.values(processes), 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, processes, stop, environments };
}
