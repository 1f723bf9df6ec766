import { existsSync, watch } from 'node:fs';
import { join, relative } from 'node:path';
import { EdgeHooks, registerCors, registerEdgeHooks } from '@hivebase/gateway';
import {
  type BaseConfig,
  closeOnSignals,
  createHttpApp,
  isAdminWebBuilt,
  listen,
  PG_POOL,
  processLogger,
  registerAdminStatic,
} from '@hivebase/platform';
import {
  type Extension,
  type ExtensionRegistry,
  hooksDirOf,
  loadExtensions,
  registerRequestBody,
} from '@hivebase/runtime';
import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Pool } from 'pg';
import { leaveStopSignalsToCaller, type RunningPostgres, startEmbeddedPostgres } from './embedded-postgres';
import { StandaloneModule } from './standalone.module';
import { standaloneConfig } from './standalone-config';
import { countRealSuperusers, INSTALLER_TOKEN_SECONDS, installerToken, removeInstallerSuperuser } from './superusers';

export interface StandaloneServer {
  /** The running app (replaced by `reload`). */
  app: NestFastifyApplication;
  port: number;
  /** Stops the embedded Postgres if this process started one (no-op otherwise). */
  stopDatabase(): Promise<void>;
  /** Closes the app, then the database it started. */
  close(): Promise<void>;
  /** Loads the extensions again and restarts the app on the same port and database (`serve --dev`). */
  reload(): Promise<void>;
}

/**
 * Where a command gets the embedded Postgres: `serve` starts its own; one-off commands share the
 * one a running `serve` has on the same directory (Postgres allows one server per directory).
 */
export type EmbeddedPostgresSource = (dataDir: string) => Promise<RunningPostgres>;

/** Resolves the database (DATABASE_URL, else embedded under `<dir>/postgres`) for `run`. */
export async function withDatabase<T>(
  config: BaseConfig,
  run: (config: BaseConfig & { databaseUrl: string }, stopDatabase: () => Promise<void>) => Promise<T>,
  embedded: EmbeddedPostgresSource = startEmbeddedPostgres,
): Promise<T> {
  if (config.databaseUrl) return run({ ...config, databaseUrl: config.databaseUrl }, async () => {});
  const postgres = await embedded(config.dataDir);
  try {
    return await run({ ...config, databaseUrl: postgres.url }, postgres.stop);
  } catch (error) {
    await postgres.stop();
    throw error;
  }
}

/** What `startStandalone` takes besides the config. */
export interface StandaloneOptions {
  /** Extensions passed in code (`createHivebase`), run before those of the hooks directory. */
  extensions?: readonly Extension[];
}

/** The extensions of `config`'s hooks directory and `options`; throws (`ExtensionLoadError`) on a bad one. */
function extensionsOf(config: BaseConfig, options: StandaloneOptions): ExtensionRegistry {
  const inCode = (options.extensions ?? []).map((extension, index) => ({
    source: extension.name ?? `extension #${index + 1} (in code)`,
    extension,
  }));
  return loadExtensions(config, inCode);
}

/** The app of every module on the resolved database, listening on `port`. */
async function startApp(
  resolved: BaseConfig & { databaseUrl: string },
  extensions: ExtensionRegistry,
  port: number,
): Promise<{ app: NestFastifyApplication; port: number }> {
  const edge = new EdgeHooks();
  const app = await createHttpApp(StandaloneModule.forRoot(resolved, edge, extensions), {
    config: resolved,
    bodyParser: false,
    configureFastify: async (fastify) => {
      await registerRequestBody(fastify);
      await registerCors(fastify, resolved);
      registerEdgeHooks(fastify, edge);
      registerAdminStatic(fastify);
    },
  });
  return { app, port: await listen(app, resolved.http.host, port) };
}

/** Starts the whole of Hivebase in this process on `config.http`. */
export async function startStandalone(config: BaseConfig, options: StandaloneOptions = {}): Promise<StandaloneServer> {
  // Extensions load before the database starts: a bad one stops boot at once, with its file and line.
  const extensions = extensionsOf(config, options);
  return withDatabase(config, async (resolved, stopDatabase) => {
    const started = await startApp(resolved, extensions, resolved.http.port);
    const server: StandaloneServer = {
      app: started.app,
      port: started.port,
      stopDatabase,
      close: async () => {
        await server.app.close();
        await stopDatabase();
      },
      reload: async () => {
        // The new extensions must load before the running app goes: a broken edit keeps the old one.
        const next = extensionsOf(config, options);
        await server.app.close();
        server.app = (await startApp(resolved, next, server.port)).app;
      },
    };
    return server;
  });
}

/** `hivebase serve`: run until SIGINT/SIGTERM, then drain and stop embedded Postgres. */
export async function serve(
  config: BaseConfig,
  output: NodeJS.WriteStream = process.stdout,
  options: { dev?: boolean } = {},
): Promise<void> {
  // Until the app's own logger takes over, Nest's static logger (the embedded Postgres start)
  // writes in the same format and at the same level.
  Logger.overrideLogger(processLogger(config, 'hivebase'));
  const server = await startStandalone(config);
  if (options.dev) {
    reloadOnChange(server, hooksDirOf(config));
    // The app is replaced on reload, so the signal handler closes whichever is current.
    const stop = () => void server.close().then(() => process.exit(0));
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  } else {
    closeOnSignals(server.app, config.shutdownTimeoutMs, server.stopDatabase);
  }
  leaveStopSignalsToCaller();
  const url = baseUrl(config.http.host, server.port);
  const pool = server.app.get<Pool>(PG_POOL);
  try {
    await announce(config, output, url, pool);
  } catch (error) {
    // A stop signal right after the start closes the pool under the first-run hints: the
    // server is going away, so there is nothing left to announce (and no failure to report).
    if ((pool as Pool & { ending?: boolean }).ending) return;
    throw error;
  }
}

/** `serve --dev`: a change in the hooks directory restarts the app with the edited extensions. */
function reloadOnChange(server: StandaloneServer, dir: string): void {
  const logger = new Logger('extensions');
  if (!existsSync(dir)) {
    logger.warn(`--dev: ${dir} does not exist, nothing to watch`);
    return;
  }
  let timer: NodeJS.Timeout | undefined;
  let reloading = Promise.resolve();
  watch(dir, { recursive: true }, () => {
    // Editors write a file in several steps: reload once they are done.
    clearTimeout(timer);
    timer = setTimeout(() => {
      reloading = reloading.then(() =>
        server.reload().then(
          () => logger.log(`reloaded the extensions of ${dir}`),
          (error: unknown) =>
            logger.error(`extensions not reloaded, the running ones stay: ${(error as Error).message ?? error}`),
        ),
      );
    }, 150);
  });
  logger.log(`--dev: watching ${dir}`);
}

/** The start banner and, on a database without superusers, how to create the first one. */
async function announce(config: BaseConfig, output: NodeJS.WriteStream, url: string, pool: Pool): Promise<void> {
  const command = await firstSuperuserCommandIfNone(pool, config);
  // PocketBase's installer link, when there is a dashboard to open it in.
  const installer = command && isAdminWebBuilt() ? installerLink(url, await installerToken(pool)) : null;
  if (!command) await removeInstallerSuperuser(pool);
  if (!config.logPretty) {
    // JSON lines stay JSON lines for log collectors; the hint is one of them.
    if (command) {
      const msg = `no superuser yet; create the first one with: ${command}${installer ? ` or at ${installer}` : ''}`;
      new Logger('serve').warn({ msg, command, ...(installer ? { installer } : {}) });
    }
    return;
  }
  const colors = output.hasColors?.() ?? false;
  output.write(startBanner(url, { colors }));
  if (command) output.write(`\n${firstSuperuserText(command, config)}\n`);
  if (installer) output.write(`${installerText(installer)}\n`);
}

/** The dashboard page that creates the first superuser with the installer token. */
export function installerLink(url: string, token: string): string {
  return `${url}/_/#/pbinstall/${token}`;
}

function installerText(link: string): string {
  const minutes = INSTALLER_TOKEN_SECONDS / 60;
  return `Or create it in the browser, with this link (it works for ${minutes} minutes):\n\n  ${link}\n`;
}

const SGR = { bold: [1, 22], green: [32, 39], cyan: [36, 39] } as const;

/** PocketBase's start banner: when, where, and the API and dashboard addresses. */
export function startBanner(url: string, { colors = false, now = new Date() } = {}): string {
  // Plain SGR codes: the caller has decided for colours (util.styleText would decide again on its own).
  const paint = (style: keyof typeof SGR, text: string) =>
    colors ? `\u001b[${SGR[style][0]}m${text}\u001b[${SGR[style][1]}m` : text;
  const pad = (n: number) => String(n).padStart(2, '0');
  const date = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())}`;
  const time = `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  const started = `${date} ${time} Server started at ${paint('cyan', url)}`;
  return [
    paint('bold', paint('green', started)),
    `├─ REST API:  ${paint('cyan', `${url}/api/`)}`,
    `└─ Dashboard: ${paint('cyan', `${url}/_/`)}`,
    '',
  ].join('\n');
}

/** The address a browser on this machine would use: IPv6 hosts in brackets. */
export function baseUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * On a database without superusers, how to create the first one from the CLI (`serve` adds
 * PocketBase's installer link when the dashboard is built).
 */
export async function firstSuperuserHint(pool: Pool, config: BaseConfig): Promise<string | null> {
  const command = await firstSuperuserCommandIfNone(pool, config);
  return command ? firstSuperuserText(command, config) : null;
}

async function firstSuperuserCommandIfNone(pool: Pool, config: BaseConfig): Promise<string | null> {
  // The installer account (PocketBase's placeholder for the installer link) is no superuser.
  return (await countRealSuperusers(pool)) > 0 ? null : firstSuperuserCommand(config);
}

function firstSuperuserText(command: string, config: BaseConfig): string {
  const database = config.databaseUrl ? ' (with the same DATABASE_URL)' : '';
  // The server keeps running: the command shares its embedded Postgres (see useEmbeddedPostgres).
  return `No superuser yet. Create the first one${database}, from another terminal while this one runs:\n\n  ${command}\n`;
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
