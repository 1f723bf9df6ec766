import { spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

// Thin helpers over the docker and docker-compose CLIs for the compose suite. Every command's
// output is kept for the failure message; long ones (builds) stream to this process's output so
// the CI log shows progress.

// The repository whose docker-compose.yml and infra/Dockerfile are used: this one, or another
// checkout (HB_COMPOSE_ROOT), e.g. a clean export while the work tree is mid-change.
export const ROOT = process.env.HB_COMPOSE_ROOT ?? path.resolve(__dirname, '../..');
export const PROJECT = process.env.HB_COMPOSE_PROJECT ?? 'hbcompose';

/** The caller's environment without COMPOSE_* settings: only docker-compose.yml decides. */
function composeEnv(extra: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('COMPOSE_')));
  return { ...env, ...extra };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; throws with its output when it fails (unless `allowFailure`). */
export function run(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; allowFailure?: boolean; input?: string } = {},
): Run {
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: options.env ?? process.env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 120_000,
    maxBuffer: 256 * 1024 * 1024,
    input: options.input,
  });
  if (result.error) throw result.error;
  const outcome = { status: result.status, stdout: result.stdout, stderr: result.stderr };
  if (result.status !== 0 && !options.allowFailure) {
    throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  }
  return outcome;
}

/** Runs a long command with its output streamed here (prefixed), resolving when it succeeds. */
export function stream(command: string, args: string[], env?: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, env: env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    const forward = (chunk: Buffer) => {
      const text = chunk.toString();
      tail = (tail + text).slice(-20_000);
      process.stdout.write(text.replace(/^(?=.)/gm, `[${path.basename(command)}] `));
    };
    child.stdout.on('data', forward);
    child.stderr.on('data', forward);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${tail}`)),
    );
  });
}

export class Compose {
  constructor(readonly env: NodeJS.ProcessEnv) {}

  private args(args: string[]): string[] {
    return ['-p', PROJECT, '-f', 'docker-compose.yml', ...args];
  }

  run(args: string[], options: { timeoutMs?: number; allowFailure?: boolean } = {}): Run {
    return run('docker-compose', this.args(args), { ...options, env: composeEnv(this.env) });
  }

  stream(args: string[]): Promise<void> {
    return stream('docker-compose', this.args(args), composeEnv(this.env));
  }

  /** Container ids of one service, ordered by container number (collections_1, _2, ...). */
  containers(service: string): string[] {
    const ids = this.run(['ps', '-q', service]).stdout.split('\n').filter(Boolean);
    return ids
      .map((id) => ({ id, name: containerName(id) }))
      .sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }))
      .map(({ id }) => id);
  }
}

export function containerName(id: string): string {
  return run('docker', ['inspect', '--format', '{{.Name}}', id]).stdout.trim().replace(/^\//, '');
}

export function inspect(id: string, format: string): string {
  return run('docker', ['inspect', '--format', format, id]).stdout.trim();
}

/** Both streams of a container's log (the services log to stdout as JSON lines). */
export function logsOf(id: string): string {
  const result = run('docker', ['logs', id], { allowFailure: true });
  return result.stdout + result.stderr;
}

/** Requests a container served: one access line per request (health probes are not logged). */
export function servedBy(id: string): number {
  return (logsOf(id).match(/"responseTime":/g) ?? []).length;
}

/** Waits until every container of the project reports (healthy); fails naming who is not. */
export async function waitForHealthy(compose: Compose, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let states: string[] = [];
  while (Date.now() < deadline) {
    const ids = compose.run(['ps', '-q']).stdout.split('\n').filter(Boolean);
    states = ids.map(
      (id) =>
        `${containerName(id)}: ${inspect(id, '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}')}`,
    );
    if (states.length > 0 && states.every((state) => state.endsWith('running healthy'))) return;
    const dead = states.filter((state) => /: (exited|dead)/.test(state));
    if (dead.length > 0)
      throw new Error(`containers stopped:\n${dead.join('\n')}\n${compose.run(['logs', '--tail', '60']).stdout}`);
    await new Promise((done) => setTimeout(done, 2_000));
  }
  throw new Error(
    `not healthy after ${timeoutMs} ms:\n${states.join('\n')}\n${compose.run(['logs', '--tail', '40']).stdout}`,
  );
}

/** A TCP port free on this machine right now (for the published gateway port). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

/** Polls `check` until it returns true, or fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return;
    await new Promise((done) => setTimeout(done, 500));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Prints a step of the suite, so the CI log tells what ran (the scaled run, the restart check). */
export function step(text: string): void {
  process.stdout.write(`\n[compose-e2e ${new Date().toISOString()}] ${text}\n`);
}
