import { type ErrorData, isUniqueViolation } from '@hivebase/contracts';
import { ApiError } from '@hivebase/platform';
import { type Collection, inferViewFields, nowDateTime, planSchemaChange, ViewQueryError } from '@hivebase/schema';
import type { Pool, PoolClient } from 'pg';
import { lookupOf } from './collection-lookup';

/**
 * Advisory-lock key that serialises every schema change ("hbschema"); backups take it too
 * (shared while they dump, exclusive while they restore).
 */
export const SCHEMA_LOCK_KEY = '7523951240866981217';

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

/** One collection created (before null), changed, or deleted (after null). */
export interface SchemaChange {
  before: Collection | null;
  after: Collection | null;
}

export interface SchemaSnapshot {
  collections: Collection[];
  /** Bumped by every committed change; compare to tell a stale cache. */
  version: string;
}

/**
 * `_params` row holding the schema version, written in the same transaction as the change it
 * counts. (`_schema_version` only numbers the changes: a sequence moves before its transaction
 * commits and outside MVCC, so a reader could see the new number next to the old collections.)
 */
export const SCHEMA_VERSION_PARAM_ID = 'schemaVersion';

/** The committed schema version as text (`'0'` before the first change): one indexed row. */
export const SCHEMA_VERSION_SQL = `coalesce((SELECT value #>> '{}' FROM "_params" WHERE id = '${SCHEMA_VERSION_PARAM_ID}'), '0')`;

export async function schemaVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ version: string }>(`SELECT ${SCHEMA_VERSION_SQL} AS version`);
  return rows[0].version;
}

/**
 * Every collection with its secrets, in creation order, and the version they are at: read in
 * one statement, so both come from the same snapshot.
 */
export async function loadSchema(db: Queryable): Promise<SchemaSnapshot> {
  const { rows } = await db.query<{ version: string; collections: Collection[] }>(
    `SELECT ${SCHEMA_VERSION_SQL} AS version,
       coalesce((SELECT json_agg(data ORDER BY created, id) FROM "_collections"), '[]'::json) AS collections`,
  );
  return { collections: rows[0].collections, version: rows[0].version };
}

/** Postgres errors a schema change can cause through the user's own definitions. */
function toSchemaError(error: unknown, change: SchemaChange | undefined, message: string): ApiError | null {
  if (error instanceof ApiError) return error;
  const target = change?.after ?? change?.before;
  if (error instanceof ViewQueryError) {
    return new ApiError(400, message, { viewQuery: { code: error.code, message: error.message } });
  }
  const pg = error as { code?: string; message?: string };
  if (typeof pg.code !== 'string' || pg.code.length !== 5) return null;
  const reason = `${pg.message ?? 'invalid definition'}.`.replace(/\.\.$/, '.');
  const data: ErrorData | null = isUniqueViolation(error)
    ? {
        indexes: {
          code: 'validation_unique_violation',
          message: `Existing records violate a unique index: ${reason}`,
        },
      }
    : pg.code === '2BP01'
      ? { name: { code: 'validation_collection_dependency', message: `Other objects depend on it: ${reason}` } }
      : target?.type === 'view'
        ? { viewQuery: { code: 'validation_invalid_view_query', message: reason } }
        : null;
  // Any other statement Postgres refuses: PocketBase's generic form, the raw error in the message.
  if (!data) return new ApiError(400, `${message} Raw error: \n${reason}`, {}, { cause: error });
  return new ApiError(400, message, data, { cause: error });
}

async function applyOne(client: PoolClient, change: SchemaChange, current: Collection[]): Promise<Collection | null> {
  const { before } = change;
  let after = change.after;
  if (after?.type === 'view') {
    // A view's fields come from its query, run against the tables as this transaction sees them.
    const fields = await inferViewFields(client, after.viewQuery, lookupOf(current));
    after = { ...after, fields };
  }
  if (after) {
    const now = nowDateTime();
    after = { ...after, created: before?.created || after.created || now, updated: now };
  }
  for (const action of planSchemaChange(before, after)) await client.query(action.sql);
  if (after) {
    await client.query(
      `INSERT INTO "_collections" (id, name, type, system, data, created, updated) VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (id) DO UPDATE SET name = $2, type = $3, system = $4, data = $5, updated = $7`,
      [after.id, after.name, after.type, after.system, JSON.stringify(after), after.created, after.updated],
    );
  } else if (before) {
    await client.query('DELETE FROM "_collections" WHERE id = $1', [before.id]);
  }
  return after;
}

/**
 * Runs a schema change all-or-nothing: under the schema lock, `decide` sees the committed
 * collections and returns the changes; their DDL and metadata writes share one transaction.
 * Returns the saved collections (view fields inferred, timestamps set) in `changes` order; a
 * definition Postgres refuses becomes a 400 with `failureMessage`.
 */
export async function applySchemaChanges(
  pool: Pool,
  decide: (current: Collection[]) => SchemaChange[] | Promise<SchemaChange[]>,
  failureMessage = 'Failed to save the collection.',
): Promise<(Collection | null)[]> {
  const client = await pool.connect();
  let failing: SchemaChange | undefined;
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
    const current = (await loadSchema(client)).collections;
    const changes = await decide(current);
    const saved: (Collection | null)[] = [];
    const working = [...current];
    for (const change of changes) {
      failing = change;
      const after = await applyOne(client, change, working);
      saved.push(after);
      const at = working.findIndex((collection) => collection.id === (change.before ?? change.after)?.id);
      if (at >= 0) working.splice(at, 1);
      if (after) working.push(after);
    }
    if (changes.length > 0) {
      await client.query(
        `INSERT INTO "_params" (id, value) VALUES ($1, to_jsonb(nextval('"_schema_version"')))
         ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, updated = clock_timestamp()`,
        [SCHEMA_VERSION_PARAM_ID],
      );
    }
    await client.query('COMMIT');
    return saved;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw toSchemaError(error, failing, failureMessage) ?? error;
  } finally {
    client.release();
  }
}
