import type { ErrorData } from '@hivebase/contracts';
import {
  type Collection,
  type CollectionLookup,
  comparableBcryptHash,
  definitionOf,
  type Field,
  generateFromPattern,
  isMultiValue,
  newRecordId,
  nowDateTime,
  quoteIdent,
  randomString,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import * as bcrypt from 'bcrypt';
import type { Pool, PoolClient } from 'pg';
import type { RecordAccess } from './access';
import type { Queryable } from './queryable';
import { RecordReader } from './record-reader';
import { recordMatchesRule } from './record-rule';
import { ONLY_SUPERUSERS, RecordsError, recordNotFound } from './records.errors';
import {
  fileUploadsUnsupported,
  modifierSql,
  type PendingModifier,
  type ResolvedBody,
  resolveModifiers,
} from './write-modifiers';

type Json = Record<string, unknown>;

/** Runs inside a record write's transaction (the outbox writer hooks in here). */
export type AfterWrite = (
  client: PoolClient,
  change: { action: 'create' | 'update' | 'delete'; collection: Collection; record: Json; previous?: Json },
) => Promise<void>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Keys of an auth record's body that are not fields but drive the password change. */
const AUTH_BODY_EXTRAS = ['passwordConfirm', 'oldPassword'];

/**
 * Creates, updates and deletes records as PocketBase's record endpoints do: rules, per-field
 * preparation and validation with PocketBase's codes, auth record passwords, relation checks,
 * all in one transaction per write.
 */
export class RecordWriter {
  private readonly reader: RecordReader;

  constructor(
    private readonly pool: Pool,
    private readonly lookup: CollectionLookup,
    private readonly afterWrite: AfterWrite = async () => {},
  ) {
    this.reader = new RecordReader(pool, lookup);
  }

  async create(collection: Collection, body: unknown, access: RecordAccess, tx?: PoolClient): Promise<Json> {
    this.assertWritable(collection);
    if (collection.createRule === null && !access.isSuperuser) throw new RecordsError(403, ONLY_SUPERUSERS);
    const resolved = this.resolve(collection, this.bodyOrThrow(body, 'Failed to create record.'), true, access);
    const values = await this.prepare(collection, resolved, null, access, 'Failed to create record.', tx);
    return this.transaction(tx, async (client) => {
      const columns = Object.keys(values);
      const table = quoteIdent(collection.name);
      const { rows } = await this.insertOrExplain(collection, 'Failed to create record.', () =>
        client.query<Json>(
          `INSERT INTO ${table} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
          columns.map((column) => values[column]),
        ),
      );
      const record = rows[0] as Json;
      // The create rule sees the record as it would be stored (PocketBase checks it in the transaction).
      if (!access.isSuperuser && !(await this.matches(client, collection, record.id, collection.createRule, access))) {
        throw new RecordsError(400, 'Failed to create record.');
      }
      await this.afterWrite(client, { action: 'create', collection, record });
      return this.reader.toJson(collection, record, access);
    });
  }

  async update(
    collection: Collection,
    id: string,
    body: unknown,
    access: RecordAccess,
    tx?: PoolClient,
  ): Promise<Json> {
    this.assertWritable(collection);
    if (collection.updateRule === null && !access.isSuperuser) throw new RecordsError(403, ONLY_SUPERUSERS);
    const existing = await this.readerFor(tx).findVisible(collection, id, collection.updateRule, access);
    if (!existing) throw recordNotFound();
    const resolved = this.resolve(collection, this.bodyOrThrow(body, 'Failed to update record.'), false, access);
    const values = await this.prepare(collection, resolved, existing, access, 'Failed to update record.', tx);
    return this.transaction(tx, async (client) => {
      const params: unknown[] = [id];
      const bind = (value: unknown) => `$${params.push(value)}`;
      const sets = [
        ...Object.keys(values).map((column) => `${quoteIdent(column)} = ${bind(values[column])}`),
        // Modifiers on the stored value run in SQL, so concurrent updates cannot lose each other's.
        ...resolved.pending.map((modifier) => `${quoteIdent(modifier.field.name)} = ${modifierSql(modifier, bind)}`),
      ];
      const table = quoteIdent(collection.name);
      const { rows } = await this.insertOrExplain(collection, 'Failed to update record.', () =>
        client.query<Json>(
          `UPDATE ${table} SET ${sets.length > 0 ? sets.join(', ') : 'id = id'} WHERE id = $1 RETURNING *`,
          params,
        ),
      );
      const record = rows[0];
      if (!record) throw recordNotFound();
      // Throwing here rolls the update back (a caller's transaction must roll back on any error).
      await this.validateModified(client, collection, resolved.pending, record, 'Failed to update record.');
      await this.afterWrite(client, { action: 'update', collection, record, previous: existing });
      return this.reader.toJson(collection, record, access);
    });
  }

  async delete(collection: Collection, id: string, access: RecordAccess, tx?: PoolClient): Promise<void> {
    this.assertWritable(collection);
    if (collection.deleteRule === null && !access.isSuperuser) throw new RecordsError(403, ONLY_SUPERUSERS);
    const existing = await this.readerFor(tx).findVisible(collection, id, collection.deleteRule, access);
    if (!existing) throw recordNotFound();
    await this.transaction(tx, async (client) => {
      if (collection.name === SUPERUSERS_COLLECTION_NAME) {
        // Locking every superuser row makes concurrent deletes take turns, so two cannot both see
        // another superuser left and remove the last two (PocketBase counts inside its transaction).
        const { rowCount } = await client.query(`SELECT id FROM ${quoteIdent(collection.name)} ORDER BY id FOR UPDATE`);
        if ((rowCount ?? 0) <= 1) throw new RecordsError(400, "You can't delete the only existing superuser.");
      }
      await this.releaseReferences(client, collection, id);
      await client.query(`DELETE FROM ${quoteIdent(collection.name)} WHERE id = $1`, [id]);
      await this.afterWrite(client, { action: 'delete', collection, record: existing });
    });
  }

  private assertWritable(collection: Collection): void {
    if (collection.type === 'view') throw new RecordsError(400, 'Unsupported collection type.');
  }

  /** The body with its `field+`/`+field`/`field-`/`field:autogenerate` keys resolved (see write-modifiers). */
  private resolve(collection: Collection, input: Json, isNew: boolean, access: RecordAccess): ResolvedBody {
    return resolveModifiers(collection, input, {
      isNew,
      accepts: (field) => this.acceptsInput(collection, field, access, isNew),
    });
  }

  /** Whether a submitted value for `field` is taken at all; PocketBase drops the others silently. */
  private acceptsInput(collection: Collection, field: Field, access: RecordAccess, isNew: boolean): boolean {
    // Non-superusers cannot write hidden fields (an auth collection's password aside).
    if (field.hidden && !access.isSuperuser && !(collection.type === 'auth' && field.name === 'password')) return false;
    if (collection.type === 'auth' && field.name === 'tokenKey') return false;
    return !(field.name === 'id' && !isNew);
  }

  private bodyOrThrow(body: unknown, message: string): Json {
    if (body === undefined || body === null) return {};
    if (!isObject(body))
      throw new RecordsError(400, message, {
        '': { code: 'validation_invalid_body', message: 'Must be a JSON object.' },
      });
    return body;
  }

  private matches(db: Queryable, collection: Collection, id: unknown, rule: string | null, access: RecordAccess) {
    return recordMatchesRule(db, this.lookup, collection, String(id), rule, access.request);
  }

  /**
   * The column values to write: submitted fields prepared and validated by their types, system
   * values filled in (id, autodates, auth tokenKey, hashed password). Throws one 400 with every
   * field's error. Modifiers left `pending` are the UPDATE's to evaluate.
   */
  private async prepare(
    collection: Collection,
    { body: input, errors: modifierErrors }: ResolvedBody,
    existing: Json | null,
    access: RecordAccess,
    message: string,
    tx: PoolClient | undefined,
  ): Promise<Json> {
    const isNew = existing === null;
    const errors: ErrorData = { ...modifierErrors };
    const values: Json = {};
    const now = nowDateTime();
    for (const field of collection.fields) {
      if (field.type === 'autodate') {
        if ((isNew && field.onCreate) || (!isNew && field.onUpdate)) values[field.name] = now;
        continue;
      }
      const submitted = Object.hasOwn(input, field.name);
      if (!this.acceptsInput(collection, field, access, isNew)) continue;
      if (!submitted && !isNew) continue;
      if (field.type === 'file' && submitted) {
        errors[field.name] = fileUploadsUnsupported();
        continue;
      }
      const definition = definitionOf(field);
      let value = definition.prepareValue(field as never, submitted ? input[field.name] : undefined);
      // A new record's empty text gets its autogenerate pattern, as PocketBase fills it (id included).
      if (field.name === 'id' && isNew && value === '') value = this.generateId(field);
      else if (field.type === 'text' && isNew && value === '' && field.autogeneratePattern) {
        value = generateFromPattern(field.autogeneratePattern);
      }
      if (field.type === 'password' && !submitted && !isNew) continue;
      const problem = definition.validateValue(field as never, value, { isNew });
      if (problem) errors[field.name] = problem;
      else values[field.name] = value;
    }
    if (collection.type === 'auth') {
      const manager = await this.isManager(tx ?? this.pool, collection, existing, access);
      await this.prepareAuth(input, existing, manager, values, errors);
    }
    await this.checkRelations(tx ?? this.pool, collection, values, errors);
    if (Object.keys(errors).length > 0) throw new RecordsError(400, message, errors);
    if (collection.type === 'auth' && typeof values.password === 'string') {
      const passwordField = collection.fields.find((field) => field.name === 'password');
      const cost = passwordField?.type === 'password' && passwordField.cost ? passwordField.cost : 10;
      values.password = await bcrypt.hash(values.password, cost);
      values.tokenKey = randomString(50);
    }
    // A new email also ends old sessions and pending reset/verification tokens, as in PocketBase.
    if (collection.type === 'auth' && existing && 'email' in values && values.email !== existing.email) {
      values.tokenKey = randomString(50);
    }
    return values;
  }

  private generateId(field: Field): string {
    return field.type === 'text' && field.autogeneratePattern
      ? generateFromPattern(field.autogeneratePattern)
      : newRecordId();
  }

  /** Auth records: passwordConfirm must match, and only superusers may skip oldPassword or set verified. */
  /**
   * Superusers, and callers the auth collection's manageRule lets manage this (existing)
   * record, may set `verified`/`email` and change a password without the old one.
   */
  private async isManager(db: Queryable, collection: Collection, existing: Json | null, access: RecordAccess) {
    if (access.isSuperuser) return true;
    if (collection.type !== 'auth' || collection.manageRule === null || !existing) return false;
    return this.matches(db, collection, existing.id, collection.manageRule, access);
  }

  private async prepareAuth(
    input: Json,
    existing: Json | null,
    manager: boolean,
    values: Json,
    errors: ErrorData,
  ): Promise<void> {
    for (const extra of AUTH_BODY_EXTRAS) delete values[extra];
    // Only managers change these directly; others go through the verification and email-change flows.
    if (!manager && Object.hasOwn(input, 'verified')) delete values.verified;
    if (!manager && existing && Object.hasOwn(input, 'email')) delete values.email;
    if (typeof values.password !== 'string') return;
    if (input.passwordConfirm !== input.password) {
      errors.passwordConfirm = { code: 'validation_values_mismatch', message: "Values don't match." };
    }
    if (existing && !manager) {
      const old = input.oldPassword;
      const stored = comparableBcryptHash(String(existing.password));
      if (typeof old !== 'string' || old === '' || !(await bcrypt.compare(old, stored))) {
        errors.oldPassword = { code: 'validation_invalid_old_password', message: 'Missing or invalid old password.' };
      }
    }
  }

  /** The values modifiers computed in the UPDATE go through their field's validation, as PocketBase's. */
  private async validateModified(
    client: PoolClient,
    collection: Collection,
    pending: PendingModifier[],
    record: Json,
    message: string,
  ): Promise<void> {
    if (pending.length === 0) return;
    const errors: ErrorData = {};
    const values: Json = {};
    for (const { field } of pending) {
      const problem = definitionOf(field).validateValue(field as never, record[field.name], { isNew: false });
      if (problem) errors[field.name] = problem;
      else values[field.name] = record[field.name];
    }
    await this.checkRelations(client, collection, values, errors);
    if (Object.keys(errors).length > 0) throw new RecordsError(400, message, errors);
  }

  /** Relation values must name existing records of the target collection. */
  private async checkRelations(db: Queryable, collection: Collection, values: Json, errors: ErrorData): Promise<void> {
    for (const field of collection.fields) {
      if (field.type !== 'relation' || errors[field.name] || !(field.name in values)) continue;
      const value = values[field.name];
      const ids = (Array.isArray(value) ? value : [value]).filter(
        (id): id is string => typeof id === 'string' && id !== '',
      );
      if (ids.length === 0) continue;
      const target = this.lookup.find(field.collectionId);
      if (!target) continue;
      const { rows } = await db.query<{ id: string }>(
        `SELECT id FROM ${quoteIdent(target.name)} WHERE id = ANY($1::text[])`,
        [ids],
      );
      if (rows.length !== new Set(ids).size) {
        errors[field.name] = {
          code: 'validation_missing_rel_records',
          message: 'Failed to find all relation records with the provided ids.',
        };
      }
    }
  }

  /**
   * Before a delete, PocketBase resolves what points at the record: cascadeDelete relations
   * delete their records, a required relation left empty blocks the delete, others lose the id.
   */
  private async releaseReferences(client: PoolClient, collection: Collection, id: string): Promise<void> {
    for (const other of this.lookup.all()) {
      if (other.type === 'view') continue;
      for (const field of other.fields) {
        if (field.type !== 'relation' || field.collectionId !== collection.id) continue;
        const table = quoteIdent(other.name);
        const column = quoteIdent(field.name);
        const multi = isMultiValue(field);
        const { rows } = await client.query<{ id: string; remaining: number }>(
          multi
            ? `SELECT id, cardinality(array_remove(${column}, $1)) AS remaining FROM ${table} WHERE $1 = ANY(${column})`
            : `SELECT id, 0 AS remaining FROM ${table} WHERE ${column} = $1`,
          [id],
        );
        for (const row of rows) {
          if (field.cascadeDelete) {
            await this.releaseReferences(client, other, row.id);
            await client.query(`DELETE FROM ${table} WHERE id = $1`, [row.id]);
          } else if (field.required && Number(row.remaining) === 0) {
            throw new RecordsError(400, 'The record is referenced by a required relation.', {
              '': {
                code: 'validation_required_relation_reference',
                message: `Referenced by ${other.name}.${field.name}.`,
              },
            });
          } else {
            await client.query(
              multi
                ? `UPDATE ${table} SET ${column} = array_remove(${column}, $1) WHERE id = $2`
                : `UPDATE ${table} SET ${column} = '' WHERE id = $2 AND ${column} = $1`,
              [id, row.id],
            );
          }
        }
      }
    }
  }

  /** Runs a write; a unique index violation becomes PocketBase's `validation_not_unique` on its field. */
  private async insertOrExplain<T>(collection: Collection, message: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const pg = error as { code?: string; detail?: string };
      if (pg.code !== '23505') throw error;
      const column = /\((?:lower\()?"?([A-Za-z0-9_]+)"?\)?[,)]/.exec(pg.detail ?? '')?.[1] ?? 'id';
      const field = collection.fields.find((candidate) => candidate.name === column)?.name ?? 'id';
      throw new RecordsError(400, message, {
        [field]: { code: 'validation_not_unique', message: 'Value must be unique.' },
      });
    }
  }

  /** Reads through the caller's transaction when there is one, so a batch sees its own writes. */
  private readerFor(tx: PoolClient | undefined): RecordReader {
    return tx ? new RecordReader(tx, this.lookup) : this.reader;
  }

  /** Runs `run` in its own transaction, or inside the caller's (`tx`, e.g. a batch's). */
  private async transaction<T>(tx: PoolClient | undefined, run: (client: PoolClient) => Promise<T>): Promise<T> {
    if (tx) return run(tx);
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await run(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }
}
