import {
  createTestDatabase,
  type SmtpCapture,
  smtpSettingsFor,
  startSmtpCapture,
  type TestDatabase,
} from '@hivebase/platform/testing';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { bootDistributed, bootStandalone, CLI, type RunningShape, start } from './boot-shape';

export const SUPERUSER = { email: 'root@example.com', password: 'root-password-1' };

export const SHAPES = {
  standalone: (databaseUrl: string, env?: NodeJS.ProcessEnv) => bootStandalone({ databaseUrl, env }),
  distributed: (databaseUrl: string, env?: NodeJS.ProcessEnv) => bootDistributed({ databaseUrl, env }),
};
export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

/** One shape on a database of its own, its mail going to a capture, with a superuser client. */
export interface AuthFixture {
  running: RunningShape;
  database: TestDatabase;
  smtp: SmtpCapture;
  /** Signed in as the superuser. */
  root: PocketBase;
  /** A new client with nobody signed in. */
  client(): PocketBase;
  stop(): Promise<void>;
}

/** Makes SUPERUSER with the CLI on `database`, then boots `shape` on it. */
async function bootWithSuperuser(
  shape: ShapeName,
  database: TestDatabase,
  env?: NodeJS.ProcessEnv,
): Promise<RunningShape> {
  const cli = start('superuser', [CLI, 'superuser', 'upsert', SUPERUSER.email, SUPERUSER.password], {
    ...process.env,
    DATABASE_URL: database.url,
  });
  const code = await new Promise((done) => cli.child.once('exit', done));
  if (code !== 0) throw new Error(`superuser upsert failed:\n${cli.output()}`);
  return SHAPES[shape](database.url, env);
}

export interface BootedWithRoot {
  running: RunningShape;
  /** An SDK client signed in as SUPERUSER. */
  root: PocketBase;
  /** Stops the shape and drops its database. */
  stop(): Promise<void>;
}

/** The lighter fixture: a fresh database, `shape` booted on it, SUPERUSER signed in (no mail capture). */
export async function bootWithRoot(shape: ShapeName, env?: NodeJS.ProcessEnv): Promise<BootedWithRoot> {
  const database = await createTestDatabase();
  let running: RunningShape | undefined;
  const stop = async () => {
    await running?.stop();
    await database.drop();
  };
  try {
    running = await bootWithSuperuser(shape, database, env);
    const root = new PocketBase(running.baseUrl);
    await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    return { running, root, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

export async function startAuthFixture(shape: ShapeName): Promise<AuthFixture> {
  const database = await createTestDatabase();
  const smtp = await startSmtpCapture();
  let running: RunningShape | undefined;
  const stop = async () => {
    await running?.stop();
    await smtp.close();
    await database.drop();
  };
  try {
    running = await bootWithSuperuser(shape, database);
    const baseUrl = running.baseUrl;
    const client = () => {
      const pb = new PocketBase(baseUrl);
      // Tests poll and retry the same routes; a real app's auto-cancellation would get in the way.
      pb.autoCancellation(false);
      return pb;
    };
    const root = client();
    await root.collection('_superusers').authWithPassword(SUPERUSER.email, SUPERUSER.password);
    await root.settings.update(smtpSettingsFor(smtp));
    return { running, database, smtp, root, client, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The ClientResponseError `promise` rejects with; fails if it resolves or rejects otherwise. */
export async function failure(promise: Promise<unknown>): Promise<ClientResponseError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ClientResponseError)) throw new Error(`expected a ClientResponseError, got ${String(error)}`);
  return error;
}
