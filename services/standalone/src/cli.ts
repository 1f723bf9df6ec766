#!/usr/bin/env node
import 'reflect-metadata';
import { type BaseConfig, processLogger, runMain } from '@hivebase/platform';
import { ExtensionLoadError } from '@hivebase/runtime';
import { Logger } from '@nestjs/common';
import { Command } from 'commander';
import { launchDistributed } from './distributed/launch-distributed';
import { EmbeddedPostgresError } from './embedded-postgres';
import { migrate } from './migrate';
import { formatReport, hasErrors, importPocketBase, PocketBaseImportError, streamProgress } from './pocketbase-import';
import { serve } from './serve';
import { type ServeFlags, standaloneConfig, withTerminalDefaults } from './standalone-config';
import { superuserCreate, superuserDelete, superuserUpdate, superuserUpsert } from './superuser';
import { SuperuserInputError } from './superusers';

/**
 * `runMain`, where a refused `superuser` input and a Postgres that cannot run (directory in use,
 * its own refusal) are one-line messages too.
 */
const run = (main: () => Promise<void>) =>
  runMain(main, [EmbeddedPostgresError, SuperuserInputError, PocketBaseImportError, ExtensionLoadError]);

/**
 * A one-off command's config. Such a command prints its result on stdout and nothing else:
 * logs (the embedded Postgres' start and stop) go to stderr, and only warnings and errors
 * unless LOG_LEVEL asks for more.
 */
function commandConfig(flags: ServeFlags): BaseConfig {
  const config = standaloneConfig(flags);
  const logLevel = process.env.LOG_LEVEL ? config.logLevel : 'warn';
  Logger.overrideLogger(processLogger({ logLevel, logPretty: Boolean(process.stderr.isTTY) }, 'hivebase', 2));
  return config;
}

const program = new Command('hivebase').description('Hivebase: a PocketBase-compatible backend on Postgres');

program
  .command('serve', { isDefault: true })
  .description('start Hivebase in one process (embedded Postgres unless DATABASE_URL is set)')
  .option('--http <host:port>', 'address to listen on (HB_HTTP)', undefined)
  .option('--dir <path>', 'data directory (HB_DIR)', undefined)
  .option('--hooksDir <path>', 'extensions directory (HB_HOOKS_DIR; default: hb_hooks beside the data directory)')
  .option('--dev', 'reload the extensions when a file of the hooks directory changes')
  .action((flags: ServeFlags & { dev?: boolean }) =>
    run(() =>
      serve(standaloneConfig(flags, withTerminalDefaults(process.env, Boolean(process.stdout.isTTY))), process.stdout, {
        dev: flags.dev === true,
      }),
    ),
  );

program
  .command('migrate')
  .description('apply pending system-table migrations and exit')
  .option('--dir <path>', 'data directory for embedded Postgres (HB_DIR)', undefined)
  .action((flags: { dir?: string }) =>
    run(async () => {
      const applied = await migrate(commandConfig(flags));
      console.log(applied.length ? `applied: ${applied.join(', ')}` : 'no pending migrations');
    }),
  );

const superuser = program
  .command('superuser')
  .description('manage superusers (records of _superusers); DATABASE_URL, else embedded Postgres under --dir');

/** One `superuser` subcommand; exact arguments, since a stray one is more likely a typo than intent. */
function superuserCommand(usage: string, description: string) {
  return superuser
    .command(usage)
    .description(description)
    .option('--dir <path>', 'data directory for embedded Postgres (HB_DIR)')
    .allowExcessArguments(false);
}

superuserCommand('upsert <email> <password>', 'create a superuser, or set the password of an existing one').action(
  (email: string, password: string, flags: { dir?: string }) =>
    run(async () => {
      const outcome = await superuserUpsert(commandConfig(flags), email, password);
      console.log(`superuser ${email} ${outcome}`);
    }),
);

superuserCommand('create <email> <password>', 'create a superuser (fails if it exists)').action(
  (email: string, password: string, flags: { dir?: string }) =>
    run(async () => {
      await superuserCreate(commandConfig(flags), email, password);
      console.log(`superuser ${email} created`);
    }),
);

superuserCommand('update <email> <password>', "set a superuser's password and sign out its sessions").action(
  (email: string, password: string, flags: { dir?: string }) =>
    run(async () => {
      await superuserUpdate(commandConfig(flags), email, password);
      console.log(`superuser ${email} updated`);
    }),
);

superuserCommand('delete <email>', 'delete a superuser (never the last one)').action(
  (email: string, flags: { dir?: string }) =>
    run(async () => {
      const outcome = await superuserDelete(commandConfig(flags), email);
      // As PocketBase: deleting what is not there is a no-op, not a failure.
      console.log(
        outcome === 'deleted' ? `superuser ${email} deleted` : `superuser ${email} is missing or already deleted`,
      );
    }),
);

const importFrom = program.command('import').description('bring data into Hivebase from another backend');

importFrom
  .command('pocketbase <pb_data>')
  .description(
    'copy a PocketBase (v0.23+) pb_data directory into Hivebase: collections, records, files, settings; safe to re-run',
  )
  .option('--dir <path>', 'data directory for embedded Postgres (HB_DIR)')
  .allowExcessArguments(false)
  .action((source: string, flags: { dir?: string }) =>
    run(async () => {
      const report = await importPocketBase(commandConfig(flags), source, { progress: streamProgress(process.stderr) });
      process.stdout.write(formatReport(report));
      // Finished, but some data could not be carried: a script should notice.
      if (hasErrors(report)) process.exitCode = 2;
    }),
  );

program
  .command('start-distributed')
  .description('start gateway, collections, auth, files and realtime as separate processes on loopback ports')
  .option('--port <port>', 'gateway port (services take the next four)', '8090')
  .option('--replicas <n>', 'processes of each service behind the gateway (ports continue in fours)', '1')
  .action((flags: { port: string; replicas: string }) =>
    runMain(() => {
      const replicas = Number(flags.replicas);
      if (!Number.isInteger(replicas) || replicas < 1 || replicas > 16) {
        throw new Error(`--replicas must be a whole number from 1 to 16, got "${flags.replicas}"`);
      }
      return launchDistributed({
        databaseUrl: process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/hivebase',
        redisUrl: process.env.REDIS_URL || 'redis://127.0.0.1:6379',
        gatewayPort: Number(flags.port),
        replicas,
      });
    }),
  );

program.parse();
