import { createTestDatabase, type TestDatabase } from '@hivebase/server/testing';
import PocketBase, { ClientResponseError } from 'pocketbase';
import { bootDistributed, bootStandalone, CLI, type RunningShape, start } from './boot-shape';

/** The superuser every SDK suite signs in as. */
export const ROOT = { email: 'root@example.com', password: 'root-password-1' };

/** Both run shapes, each booted on a given database: suites run once per shape (`describe.each(SHAPE_NAMES)`). */
export const SHAPES = {
  standalone: (databaseUrl: string) => bootStandalone({ databaseUrl }),
  distributed: (databaseUrl: string) => bootDistributed({ databaseUrl }),
};
export type ShapeName = keyof typeof SHAPES;
export const SHAPE_NAMES = Object.keys(SHAPES) as ShapeName[];

/** The SDK error a promise rejects with (fails the test if it resolves or throws anything else). */
export async function failure(promise: Promise<unknown>): Promise<ClientResponseError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  if (!(error instanceof ClientResponseError)) throw new Error(`expected a ClientResponseError, got ${String(error)}`);
  return error;
}

export interface BootedWithRoot {
  database: TestDatabase;
  running: RunningShape;
  /** An SDK client signed in as ROOT. */
  root: PocketBase;
  /** Stops the shape and drops its database. */
  stop(): Promise<void>;
}

/** A fresh database with ROOT made by the CLI, `shape` booted on it, and ROOT signed in through the SDK. */
export async function bootWithRoot(shape: ShapeName): Promise<BootedWithRoot> {
  const database = await createTestDatabase();
  const cli = start('superuser', [CLI, 'superuser', 'upsert', ROOT.email, ROOT.password], {
    ...process.env,
    DATABASE_URL: database.url,
  });
  await new Promise((done) => cli.child.once('exit', done));
  const running = await SHAPES[shape](database.url);
  const root = new PocketBase(running.baseUrl);
  await root.collection('_superusers').authWithPassword(ROOT.email, ROOT.password);
  return {
    database,
    running,
    root,
    stop: async () => {
      await running.stop();
      await database.drop();
    },
  };
}
