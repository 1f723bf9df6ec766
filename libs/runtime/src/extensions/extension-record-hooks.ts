import type { RecordWriteHooks, WriteAction } from '@hivebase/records';
import type { Collection, CollectionLookup } from '@hivebase/schema';
import { Logger } from '@nestjs/common';
import type { Pool } from 'pg';
import { findRecordById } from '../auth/request-auth';
import type { HookApp, HookName } from './extension-api';
import type { ExtensionRegistry } from './extension-registry';
import { hookCollectionOf } from './hook-context';

type Json = Record<string, unknown>;

const MODEL_HOOKS: Record<WriteAction, HookName> = {
  create: 'onRecordCreate',
  update: 'onRecordUpdate',
  delete: 'onRecordDelete',
};
const SUCCESS_HOOKS: Record<WriteAction, HookName> = {
  create: 'onRecordAfterCreateSuccess',
  update: 'onRecordAfterUpdateSuccess',
  delete: 'onRecordAfterDeleteSuccess',
};
const ERROR_HOOKS: Record<WriteAction, HookName> = {
  create: 'onRecordAfterCreateError',
  update: 'onRecordAfterUpdateError',
  delete: 'onRecordAfterDeleteError',
};

/**
 * The record writer's model hooks from the loaded extensions: `onRecordCreate`/`Update`/`Delete`
 * inside the write's transaction, then `…AfterSuccess` or `…AfterError`. Null when no extension
 * hooks any write, so the writer does not even ask.
 */
export function extensionRecordHooks(
  registry: ExtensionRegistry,
  pool: Pool,
  lookup: CollectionLookup,
): RecordWriteHooks | undefined {
  const hooked = (Object.keys(MODEL_HOOKS) as WriteAction[]).some((action) =>
    [MODEL_HOOKS, SUCCESS_HOOKS, ERROR_HOOKS].some((names) => registry.hooksAny(names[action])),
  );
  if (!hooked) return undefined;
  const logger = new Logger('extensions');
  const app: HookApp = {
    findRecordById: async (name, id) => {
      const collection = lookup.find(name);
      if (!collection || collection.type === 'view') return null;
      const row = await findRecordById(pool, collection, id);
      if (!row) return null;
      const { password: _password, tokenKey: _tokenKey, ...record } = row;
      return record;
    },
  };
  return {
    has: (action: WriteAction, collection: Collection) =>
      registry.has(MODEL_HOOKS[action], collection) ||
      registry.has(SUCCESS_HOOKS[action], collection) ||
      registry.has(ERROR_HOOKS[action], collection),
    around: async (action, collection, values, original, write) => {
      const event = { collection: hookCollectionOf(collection), record: values, original };
      let row = null as Json | null;
      await registry.run(MODEL_HOOKS[action], event.collection, event, async () => {
        row = await write(event.record);
        // After `next()` handlers see the row as written.
        event.record = structuredClone(row);
      });
      return row;
    },
    settled: async (action, collection, record, error) => {
      const name = error === undefined ? SUCCESS_HOOKS[action] : ERROR_HOOKS[action];
      const target = hookCollectionOf(collection);
      if (!registry.has(name, target)) return;
      const fields =
        error === undefined ? { collection: target, record, app } : { collection: target, record, error, app };
      // The write has ended either way: a failing handler is logged, it cannot undo the commit.
      await registry
        .run(name, target, fields as never, async () => undefined)
        .catch((failure: unknown) =>
          logger.error({ err: failure, hook: name, collection: collection.name }, 'hook failed'),
        );
    },
  };
}
