import { type ErrorData, isUniqueViolation, isUploadedFile } from '@hivebase/contracts';
import {
  type Collection,
  type CollectionLookup,
  comparableBcryptHash,
  definitionOf,
  type Field,
  type FileField,
  generateFromPattern,
  isAuthCollection,
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
import { statementNames } from './prepared';
import type { Queryable } from './queryable';
import { type FileFieldChange, planFileField, type RecordFileStore } from './record-files';
import { RecordReader } from './record-reader';
import { recordMatchesRule } from './record-rule';
import { isPossibleId, RecordsError, recordNotFound, type WriteFailure } from './records.errors';
import { fileUploadsUnsupported, parseModifierKey, type ResolvedBody, resolveModifiers } from './write-modifiers';

type Json = Record<string, unknown>;

/**
 * File work of one transaction: what it stored (removed again if it rolls back, so a failed
 * write leaves no orphan) and what goes once it commits (replaced files, deleted records').
 */
interface PendingFiles {
  stored: { collectionId: string; recordId: string; name: string }[];
  removed: { collectionId: string; recordId: string; names: string[] }[];
  removedRecords: { collectionId: string; recordId: string }[];
}

/** A record change as its event describes it. */
export interface RecordChange {
  action: 'create' | 'update' | 'delete';
  collection: Collection;
  /**
   * An update's row as it was before: the row itself, or `PREVIOUS_CTE` when the write's
   * statement reads it into that CTE.
   */
  previous?: Json | typeof PREVIOUS_CTE;
}

// The write statement's CTE names: quoted with a dot, which no collection name can hold, so a
// collection called `written` or `previous` cannot collide with them.
/** The CTE holding the written row (the write's `RETURNING`). */
export const WRITTEN_CTE = '"hb.written"';
/** The CTE holding an update's row as it was (and `RecordChange.previous` when it does). */
export const PREVIOUS_CTE = '"hb.previous"';

/**
 * Where writes announce their changes (the outbox in every service). The event is queued by the
 * write's own statement, so a write costs one round trip and its event commits with it.
 */
export interface ChangeFeed {
  /**
   * A data-modifying statement that queues the event of the row in `WRITTEN_CTE` (the write's
   * `RETURNING *`); it pushes its values onto `params`.
   */
  queueSql(change: RecordChange, params: unknown[]): string;
  /** A transaction holding queued events has committed. */
  committed(): void;
}

export type WriteAction = RecordChange['action'];

/**
 * Code run around record writes (framework mode's model hooks), which the records engine knows
 * only through this interface. `has` is asked first, so a write nobody hooks runs unchanged.
 */
export interface RecordWriteHooks {
  has(action: WriteAction, collection: Collection): boolean;
  /**
   * Runs inside the write's transaction around `write`. `values` is the hooks' copy of what will
   * be written (changes there are validated and written); `write` resolves to the row as stored.
   * Resolves to that row, or null when a hook skipped the write.
   */
  around(
    action: WriteAction,
    collection: Collection,
    values: Json,
    original: Json | null,
    write: (values: Json) => Promise<Json>,
  ): Promise<Json | null>;
  /** After the write's transaction committed (`error` undefined) or failed; `record` is its JSON as a superuser sees it. */
  settled(action: WriteAction, collection: Collection, record: Json, error?: unknown): Promise<void>;
}

/** A hooked write of a caller's transaction, announced when it ends (`RecordWriter.settleFiles`). */
interface PendingHook {
  action: WriteAction;
  collection: Collection;
  record: Json;
}

/** A write that model hooks concern: what it announces once it ends. */
interface HookedWrite {
  action: WriteAction;
  /** The record's JSON as hooks see it (what is known so far when the write fails early). */
  record: Json;
  /** Whether the write happened (a hook may skip it). */
  written: boolean;
}

/** A rule that lets everyone through ("" and blanks; null lets nobody but superusers). */
const isEveryone = (rule: string | null): boolean => rule !== null && rule.trim() === '';

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The id field's default autogeneratePattern (15 of `[a-z0-9]`, as `newRecordId`). */
const RECORD_ID_PATTERN = '[a-z0-9]{15}';

const CREATE_FAILED: WriteFailure = 'records_create_failed';
const UPDATE_FAILED: WriteFailure = 'records_update_failed';
const VALUES_MISMATCH = { code: 'validation_values_mismatch', message: "Values don't match." };
const REQUIRED = { code: 'validation_required', message: 'Cannot be blank.' };

/** `access` with `@request.body` replaced by the resolved write body (uploads by their stored names). */
const withBody = (access: RecordAccess, body: Json): RecordAccess => ({
  ...access,
  request: {
    ...access.request,
    body: Object.fromEntries(Object.entries(body).map(([key, value]) => [key, namesOf(value)])),
  },
});

/** Uploads stand in rules as their names (a file field's value, or one item of it); one level, never recursive. */
const nameOf = (value: unknown): unknown => (isUploadedFile(value) ? value.name : value);
const namesOf = (value: unknown): unknown => (Array.isArray(value) ? value.map(nameOf) : nameOf(value));

/** A body value as PocketBase's `cast.ToString` reads it ("" for null, absent, objects). */
function formText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return '';
}

/**
 * The auth form's own checks, as PocketBase's record upsert form runs them before the record's
 * fields: only managers change `verified` (or, on update, `email`) directly; a new record needs a
 * password and its confirmation; a password change needs both, and the old password unless the
 * caller manages the record.
 */
async function authFormErrors(collection: Collection, input: Json, existing: Json | null, manager: boolean) {
  const errors: ErrorData = {};
  const isNew = existing === null;
  const submitted = (name: string) => {
    const field = collection.fields.find((candidate) => candidate.name === name);
    return field && Object.hasOwn(input, name)
      ? { value: definitionOf(field).prepareValue(field as never, input[name]) }
      : null;
  };
  const email = submitted('email');
  if (!isNew && !manager && email && email.value !== existing.email) errors.email = VALUES_MISMATCH;
  const verified = submitted('verified');
  if (!manager && verified && verified.value !== (existing?.verified === true)) errors.verified = VALUES_MISMATCH;

  const password = formText(input.password);
  const confirm = formText(input.passwordConfirm);
  const old = formText(input.oldPassword);
  if (password === '' && (isNew || confirm !== '' || old !== '')) errors.password = REQUIRED;
  if (confirm === '' && (isNew || password !== '' || old !== '')) errors.passwordConfirm = REQUIRED;
  else if (confirm !== password) errors.passwordConfirm = VALUES_MISMATCH;
  if (!isNew && !manager && (password !== '' || confirm !== '')) {
    if (old === '') errors.oldPassword = REQUIRED;
    else if (!(await bcrypt.compare(old, comparableBcryptHash(String(existing.password))))) {
      errors.oldPassword = { code: 'validation_invalid_old_password', message: 'Missing or invalid old password.' };
    }
  }
  return errors;
}

/**
 * Creates, updates and deletes records as PocketBase's record endpoints do: rules, per-field
 * preparation and validation with PocketBase's codes, auth record passwords, relation checks,
 * all in one transaction per write.
 */
export class RecordWriter {
  private readonly reader: RecordReader;
  private readonly pendingFiles = new WeakMap<PoolClient, PendingFiles>();
  private readonly pendingHooks = new WeakMap<PoolClient, PendingHook[]>();

  constructor(
    private readonly pool: Pool,
    private readonly lookup: CollectionLookup,
    private readonly feed?: ChangeFeed,
    /** Without a store, uploads are refused (`validation_file_uploads_unsupported`). */
    private readonly files?: RecordFileStore,
    /** Model hooks (extensions); without them, or when none concerns a write, it runs as before. */
    private readonly hooks?: RecordWriteHooks,
  ) {
    this.reader = new RecordReader(pool, lookup);
  }

  async create(collection: Collection, body: unknown, access: RecordAccess, tx?: PoolClient): Promise<Json> {
    if (this.hooks?.has('create', collection)) {
      return this.announced('create', collection, isObject(body) ? body : {}, tx, (hooked) =>
        this.createRecord(collection, body, access, tx, hooked),
      );
    }
    return this.createRecord(collection, body, access, tx, null);
  }

  private async createRecord(
    collection: Collection,
    body: unknown,
    access: RecordAccess,
    tx: PoolClient | undefined,
    hooked: HookedWrite | null,
  ): Promise<Json> {
    this.assertWritable(collection);
    if (collection.createRule === null && !access.isSuperuser) throw new RecordsError('records_only_superusers');
    const resolved = resolveModifiers(collection, this.bodyOrThrow(body, CREATE_FAILED), null);
    // Rules read the body with its modifiers resolved (PocketBase's ReplaceModifiers before any rule).
    const ruleAccess = withBody(access, resolved.body);
    const { values, verifyAfterRules, fileChanges } = await this.prepare(
      collection,
      resolved,
      null,
      ruleAccess,
      CREATE_FAILED,
      tx,
    );
    const checksRule = !access.isSuperuser && !isEveryone(collection.createRule);
    // Without uploads, a rule to check or a verification to grant, the insert is the whole write.
    const alone = !hooked && fileChanges.length === 0 && !checksRule && !verifyAfterRules;
    return this.transaction(tx, alone, async (client) => {
      if (hooked) {
        const record = await this.hookedWrite(hooked, collection, values, null, CREATE_FAILED, access, (row) =>
          this.insertRow(client, collection, row, fileChanges, checksRule, verifyAfterRules, ruleAccess),
        );
        return this.reader.toJson(collection, record, access);
      }
      const record = await this.insertRow(
        client,
        collection,
        values,
        fileChanges,
        checksRule,
        verifyAfterRules,
        ruleAccess,
      );
      return this.reader.toJson(collection, record, access);
    });
  }

  /** A create's statement and what follows it in its transaction (files, create rule, verification). */
  private async insertRow(
    client: PoolClient,
    collection: Collection,
    values: Json,
    fileChanges: FileFieldChange[],
    checksRule: boolean,
    verifyAfterRules: boolean,
    ruleAccess: RecordAccess,
  ): Promise<Json> {
    const columns = Object.keys(values);
    const params = columns.map((column) => values[column]);
    const insert = `INSERT INTO ${quoteIdent(collection.name)} (${columns.map(quoteIdent).join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`;
    // A verification still to be granted announces the record once it is verified.
    const change = verifyAfterRules ? null : ({ action: 'create', collection } as const);
    let record = await this.insertOrExplain(collection, CREATE_FAILED, () =>
      this.write(client, collection, insert, params, change),
    );
    if (!record) throw new RecordsError(CREATE_FAILED);
    await this.storeFiles(client, collection, String(record.id), fileChanges);
    // The create rule sees the record as it would be stored (PocketBase checks it in the transaction).
    if (checksRule && !(await this.matches(client, collection, record.id, collection.createRule, ruleAccess))) {
      throw new RecordsError(CREATE_FAILED);
    }
    if (verifyAfterRules) record = await this.verifyIfManaged(client, collection, record, ruleAccess);
    return record;
  }

  async update(
    collection: Collection,
    id: string,
    body: unknown,
    access: RecordAccess,
    tx?: PoolClient,
  ): Promise<Json> {
    if (this.hooks?.has('update', collection)) {
      return this.announced('update', collection, { id }, tx, (hooked) =>
        this.updateRecord(collection, id, body, access, tx, hooked),
      );
    }
    return this.updateRecord(collection, id, body, access, tx, null);
  }

  private async updateRecord(
    collection: Collection,
    id: string,
    body: unknown,
    access: RecordAccess,
    tx: PoolClient | undefined,
    hooked: HookedWrite | null,
  ): Promise<Json> {
    this.assertWritable(collection);
    if (collection.updateRule === null && !access.isSuperuser) throw new RecordsError('records_only_superusers');
    if (!isPossibleId(id)) throw recordNotFound();
    const input = this.bodyOrThrow(body, UPDATE_FAILED);
    // Hooks see the whole record, so a hooked update reads it first.
    if (!hooked && this.updatesBlind(collection, input)) return this.updateBlind(collection, id, input, access, tx);
    return this.transaction(tx, false, async (client) => {
      const table = quoteIdent(collection.name);
      // The row stays locked until commit: modifiers resolve against it and the rule judges their
      // result, so concurrent `views+` or `tags+` cannot lose each other's changes.
      const { rows: locked } = await client.query<Json>(`SELECT * FROM ${table} WHERE id = $1 FOR UPDATE`, [id]);
      if (!locked[0]) throw recordNotFound();
      const resolved = resolveModifiers(collection, input, locked[0]);
      const ruleAccess = withBody(access, resolved.body);
      // The locked row is what the reader would return when no rule narrows it and nothing is added.
      const existing = this.readsAsStored(collection, collection.updateRule, access)
        ? locked[0]
        : await new RecordReader(client, this.lookup).findVisible(collection, id, collection.updateRule, ruleAccess);
      if (!existing) throw recordNotFound();
      const { values, fileChanges } = await this.prepare(
        collection,
        resolved,
        existing,
        ruleAccess,
        UPDATE_FAILED,
        client,
      );
      const writeRow = async (row: Json) => {
        const params: unknown[] = [id];
        const record = await this.insertOrExplain(collection, UPDATE_FAILED, () =>
          this.write(
            client,
            collection,
            `${this.updateSql(collection, row, params)} WHERE id = $1 RETURNING *`,
            params,
            {
              action: 'update',
              collection,
              previous: existing,
            },
          ),
        );
        if (!record) throw recordNotFound();
        await this.storeFiles(client, collection, id, fileChanges);
        return record;
      };
      const record = hooked
        ? await this.hookedWrite(hooked, collection, values, locked[0], UPDATE_FAILED, access, writeRow)
        : await writeRow(values);
      return this.reader.toJson(collection, record, access);
    });
  }

  /**
   * Whether an update can be written without reading the record first: it is no auth record
   * (whose form checks read the stored one) and its body has plain values only (no modifier to
   * apply to the stored value, no file list to merge).
   */
  private updatesBlind(collection: Collection, input: Json): boolean {
    if (collection.type === 'auth') return false;
    return Object.keys(input).every((key) => {
      const named = parseModifierKey(collection, key);
      return !named || (named.modifier === null && !definitionOf(named.field).storesUploads);
    });
  }

  /**
   * One statement locks the row the update rule lets the caller reach, writes it and queues its
   * event with the row as it was: with no modifiers the body (and so `@request.body`) resolves
   * without the stored row, and only the event needs it.
   */
  private async updateBlind(collection: Collection, id: string, input: Json, access: RecordAccess, tx?: PoolClient) {
    const resolved = resolveModifiers(collection, input, null);
    const ruleAccess = withBody(access, resolved.body);
    const { values } = await this.prepare(collection, resolved, { id }, ruleAccess, UPDATE_FAILED, tx).catch(
      async (error: unknown) => {
        // A record missing or out of the rule's reach is a 404 before any field error, as when it is read first.
        const visible = await this.readerFor(tx).findVisible(collection, id, collection.updateRule, ruleAccess);
        throw visible ? error : recordNotFound();
      },
    );
    return this.transaction(tx, true, async (client) => {
      const table = quoteIdent(collection.name);
      const params: unknown[] = [id];
      const rule = this.reader.ruleSql(collection, collection.updateRule, ruleAccess, params.length);
      if (rule) params.push(...rule.params);
      const previous = `SELECT * FROM ${table} WHERE ${table}.id = $1${rule ? ` AND (${rule.sql})` : ''} FOR UPDATE OF ${table}`;
      const update = `${this.updateSql(collection, values, params)} FROM ${PREVIOUS_CTE} WHERE ${table}.id = ${PREVIOUS_CTE}.id RETURNING ${table}.*`;
      const record = await this.insertOrExplain(collection, UPDATE_FAILED, () =>
        this.write(
          client,
          collection,
          update,
          params,
          { action: 'update', collection, previous: PREVIOUS_CTE },
          previous,
        ),
      );
      if (!record) throw recordNotFound();
      return this.reader.toJson(collection, record, access);
    });
  }

  /** `UPDATE <table> SET …` of `values`, pushed onto `params` (a no-op SET when there is none). */
  private updateSql(collection: Collection, values: Json, params: unknown[]): string {
    const table = quoteIdent(collection.name);
    const sets = Object.keys(values).map((column) => `${quoteIdent(column)} = $${params.push(values[column])}`);
    // The no-op names the table: the one-statement update joins "hb.previous", which has an id too.
    return `UPDATE ${table} SET ${sets.length > 0 ? sets.join(', ') : `id = ${table}.id`}`;
  }

  async delete(collection: Collection, id: string, access: RecordAccess, tx?: PoolClient): Promise<void> {
    if (this.hooks?.has('delete', collection)) {
      await this.announced('delete', collection, { id }, tx, (hooked) =>
        this.deleteRecord(collection, id, access, tx, hooked),
      );
      return;
    }
    await this.deleteRecord(collection, id, access, tx, null);
  }

  private async deleteRecord(
    collection: Collection,
    id: string,
    access: RecordAccess,
    tx: PoolClient | undefined,
    hooked: HookedWrite | null,
  ): Promise<void> {
    this.assertWritable(collection);
    if (collection.deleteRule === null && !access.isSuperuser) throw new RecordsError('records_only_superusers');
    const existing = await this.readerFor(tx).findVisible(collection, id, collection.deleteRule, access);
    if (!existing) throw recordNotFound();
    const guardsLastSuperuser = collection.name === SUPERUSERS_COLLECTION_NAME;
    const alone = !hooked && !guardsLastSuperuser && this.referencesTo(collection).length === 0;
    await this.transaction(tx, alone, async (client) => {
      if (hooked) {
        await this.hookedWrite(hooked, collection, {}, existing, UPDATE_FAILED, access, () =>
          this.deleteRow(client, collection, id, guardsLastSuperuser).then(() => existing),
        );
        return;
      }
      await this.deleteRow(client, collection, id, guardsLastSuperuser);
    });
  }

  private async deleteRow(client: PoolClient, collection: Collection, id: string, guardsLastSuperuser: boolean) {
    if (guardsLastSuperuser) {
      // Locking every superuser row makes concurrent deletes take turns, so two cannot both see
      // another superuser left and remove the last two (PocketBase counts inside its transaction).
      const { rowCount } = await client.query(`SELECT id FROM ${quoteIdent(collection.name)} ORDER BY id FOR UPDATE`);
      if ((rowCount ?? 0) <= 1) throw new RecordsError('records_last_superuser');
    }
    await this.releaseReferences(client, collection, id);
    await this.write(client, collection, `DELETE FROM ${quoteIdent(collection.name)} WHERE id = $1 RETURNING *`, [id], {
      action: 'delete',
      collection,
    });
    this.removeRecordFilesOnCommit(client, collection, id);
  }

  /**
   * A write with model hooks (`hooked`), inside its transaction: the hooks get a copy of the
   * record (`original` with `values` over it); what they change is prepared and validated as
   * input would be, then `write` writes `values` with those changes.
   */
  private async hookedWrite(
    hooked: HookedWrite,
    collection: Collection,
    values: Json,
    original: Json | null,
    message: WriteFailure,
    access: RecordAccess,
    write: (values: Json) => Promise<Json>,
  ): Promise<Json> {
    const hooks = this.hooks as RecordWriteHooks;
    const base = { ...original, ...values };
    hooked.record = this.reader.toJson(collection, base, { ...access, isSuperuser: true });
    const row = await hooks.around(hooked.action, collection, structuredClone(base), original, async (changed) => {
      const written = await write({
        ...values,
        ...this.hookChanges(collection, base, changed, message, original === null),
      });
      // A hook that fails after next() reports the record as it was written.
      hooked.record = this.reader.toJson(collection, written, { ...access, isSuperuser: true });
      return written;
    });
    const stored = row ?? base;
    hooked.record = this.reader.toJson(collection, stored, { ...access, isSuperuser: true });
    hooked.written = row !== null;
    return stored;
  }

  /** What model hooks changed in `base`, prepared and validated as submitted values are (system fields stay the system's). */
  private hookChanges(collection: Collection, base: Json, changed: Json, message: WriteFailure, isNew: boolean): Json {
    const columns: Json = {};
    const errors: ErrorData = {};
    for (const field of collection.fields) {
      if (
        !Object.hasOwn(changed, field.name) ||
        JSON.stringify(changed[field.name]) === JSON.stringify(base[field.name])
      ) {
        continue;
      }
      const definition = definitionOf(field);
      const ownedBySystem = definition.systemValue || definition.storesUploads || field.type === 'password';
      if (ownedBySystem || (field.name === 'id' && !isNew) || field.name === 'tokenKey') continue;
      const value = definition.prepareValue(field as never, changed[field.name]);
      const problem = definition.validateValue(field as never, value, { isNew });
      if (problem) errors[field.name] = problem;
      else columns[field.name] = definition.toColumnValue ? definition.toColumnValue(field as never, value) : value;
    }
    if (Object.keys(errors).length > 0) throw new RecordsError(message, errors);
    return columns;
  }

  /**
   * A hooked write's announcement: after its own transaction, success or error hooks now; in a
   * caller's transaction (a batch), success when it commits (`settleFiles`), error hooks at once.
   */
  private async announced<T>(
    action: WriteAction,
    collection: Collection,
    initial: Json,
    tx: PoolClient | undefined,
    run: (hooked: HookedWrite) => Promise<T>,
  ): Promise<T> {
    const hooks = this.hooks as RecordWriteHooks;
    const hooked: HookedWrite = { action, record: initial, written: false };
    let result: T;
    try {
      result = await run(hooked);
    } catch (error) {
      await hooks.settled(action, collection, hooked.record, error);
      throw error;
    }
    if (!hooked.written) return result;
    if (tx) {
      const pending = this.pendingHooks.get(tx) ?? [];
      pending.push({ action, collection, record: hooked.record });
      this.pendingHooks.set(tx, pending);
    } else {
      await hooks.settled(action, collection, hooked.record);
    }
    return result;
  }

  /**
   * Runs one write statement (`sql`, ending in its RETURNING); with a `change`, the same statement
   * queues its event in the feed. `previousSql` reads the row before the write as CTE `previous`.
   * Resolves to the written row (undefined when no row matched).
   */
  private async write(
    client: Queryable,
    collection: Collection,
    sql: string,
    params: unknown[],
    change: RecordChange | null,
    previousSql?: string,
  ): Promise<Json | undefined> {
    const ctes = previousSql ? [`${PREVIOUS_CTE} AS (${previousSql})`] : [];
    let main = sql;
    if (change && this.feed) {
      ctes.push(`${WRITTEN_CTE} AS (${sql})`, `"hb.queued" AS (${this.feed.queueSql(change, params)})`);
      main = `SELECT * FROM ${WRITTEN_CTE}`;
    }
    const text = ctes.length > 0 ? `WITH ${ctes.join(', ')} ${main}` : main;
    const { rows } = await statementNames.query<Json>(client, collection, text, params);
    return rows[0];
  }

  /** Whether the reader returns a record exactly as stored under `rule` (no narrowing, no added column). */
  private readsAsStored(collection: Collection, rule: string | null, access: RecordAccess): boolean {
    if (access.isSuperuser) return true;
    return isEveryone(rule) && !(collection.type === 'auth' && collection.manageRule?.trim());
  }

  private assertWritable(collection: Collection): void {
    if (collection.type === 'view') throw new RecordsError('records_unsupported_collection');
  }

  /** Whether a submitted value for `field` is taken at all; PocketBase drops the others silently. */
  private acceptsInput(collection: Collection, field: Field, access: RecordAccess, isNew: boolean): boolean {
    // Non-superusers cannot write hidden fields (an auth collection's password aside).
    if (field.hidden && !access.isSuperuser && !(collection.type === 'auth' && field.name === 'password')) return false;
    // Only the system's own writes set an auth record's tokenKey (to end its sessions).
    if (collection.type === 'auth' && field.name === 'tokenKey') return access.system === true;
    return !(field.name === 'id' && !isNew);
  }

  private bodyOrThrow(body: unknown, message: WriteFailure): Json {
    if (body === undefined || body === null) return {};
    if (!isObject(body))
      throw new RecordsError(message, {
        '': { code: 'validation_invalid_body', message: 'Must be a JSON object.' },
      });
    return body;
  }

  private matches(db: Queryable, collection: Collection, id: unknown, rule: string | null, access: RecordAccess) {
    return recordMatchesRule(db, this.lookup, collection, String(id), rule, access.request);
  }

  /**
   * The column values to write: submitted fields prepared and validated by their types, system
   * values filled in (id, autodates, auth tokenKey, hashed password). Auth form errors (password,
   * passwordConfirm, oldPassword, email, verified) come back alone, before any field's, as
   * PocketBase's form validates them first; then one 400 with every field's error.
   * `verifyAfterRules`: a create asks for `verified` and only the manageRule can allow it.
   */
  private async prepare(
    collection: Collection,
    { body: input, errors: modifierErrors }: ResolvedBody,
    existing: Json | null,
    access: RecordAccess,
    message: WriteFailure,
    tx: PoolClient | undefined,
  ): Promise<{ values: Json; verifyAfterRules: boolean; fileChanges: FileFieldChange[] }> {
    const isNew = existing === null;
    let verifyAfterRules = false;
    if (collection.type === 'auth') {
      const manager = await this.isManager(tx ?? this.pool, collection, existing, access);
      const form = await authFormErrors(collection, input, existing, manager);
      // A non-superuser's create may still be a manager's: PocketBase asks the manageRule of the
      // record as it would be stored (unverified), after the create rule. Without a manageRule, no.
      if (form.verified && isNew && !access.isSuperuser && collection.manageRule !== null) {
        delete form.verified;
        verifyAfterRules = true;
      }
      if (Object.keys(form).length > 0) throw new RecordsError(message, form);
    }
    const errors: ErrorData = { ...modifierErrors };
    const values: Json = {};
    const fileChanges: FileFieldChange[] = [];
    const now = nowDateTime();
    for (const field of collection.fields) {
      const definition = definitionOf(field);
      // A value the system sets (autodate) never comes from input.
      if (definition.systemValue) {
        const value = definition.systemValue(field as never, { isNew, now });
        if (value !== undefined) values[field.name] = value;
        continue;
      }
      const submitted = Object.hasOwn(input, field.name);
      if (!this.acceptsInput(collection, field, access, isNew)) continue;
      if (!submitted && !isNew) continue;
      if (definition.storesUploads && submitted) {
        const raw = input[field.name];
        if (!this.files && (Array.isArray(raw) ? raw : [raw]).some(isUploadedFile)) {
          errors[field.name] = fileUploadsUnsupported();
          continue;
        }
        const planned = planFileField(field as FileField, raw, existing?.[field.name]);
        if ('error' in planned) errors[field.name] = planned.error;
        else {
          values[field.name] = planned.change.value;
          fileChanges.push(planned.change);
        }
        continue;
      }
      let value = definition.prepareValue(field as never, submitted ? input[field.name] : undefined);
      // A new record's empty text gets its autogenerate pattern, as PocketBase fills it (id included).
      if (field.name === 'id' && isNew && value === '') value = this.generateId(field);
      else if (field.type === 'text' && isNew && value === '' && field.autogeneratePattern) {
        value = generateFromPattern(field.autogeneratePattern);
      }
      const problem = definition.validateValue(field as never, value, { isNew });
      if (problem) errors[field.name] = problem;
      else values[field.name] = definition.toColumnValue ? definition.toColumnValue(field as never, value) : value;
    }
    if (verifyAfterRules) values.verified = false;
    await this.checkRelations(tx ?? this.pool, collection, values, errors);
    if (Object.keys(errors).length > 0) throw new RecordsError(message, errors);
    if (collection.type === 'auth') {
      if (typeof values.password === 'string' && values.password !== '') {
        const passwordField = collection.fields.find((field) => field.name === 'password');
        const cost = passwordField?.type === 'password' && passwordField.cost ? passwordField.cost : 10;
        values.password = await bcrypt.hash(values.password, cost);
        values.tokenKey = randomString(50);
      } else if (!isNew) {
        delete values.password;
      }
      // A new email also ends old sessions and pending reset/verification tokens, as in PocketBase.
      if (existing && 'email' in values && values.email !== existing.email) values.tokenKey = randomString(50);
    }
    return { values, verifyAfterRules, fileChanges };
  }

  /**
   * Stores a write's uploads inside its transaction (after its statement succeeded) and notes
   * what to remove once it commits.
   */
  private async storeFiles(client: PoolClient, collection: Collection, recordId: string, changes: FileFieldChange[]) {
    if (changes.length === 0 || !this.files) return;
    const pending = this.pendingOf(client);
    for (const change of changes) {
      for (const upload of change.uploads) {
        pending.stored.push({ collectionId: collection.id, recordId, name: upload.name });
        await this.files.save(collection.id, recordId, upload);
      }
      if (change.removed.length > 0) {
        pending.removed.push({ collectionId: collection.id, recordId, names: change.removed });
      }
    }
  }

  private removeRecordFilesOnCommit(client: PoolClient, collection: Collection, recordId: string): void {
    if (!this.files || !collection.fields.some((field) => field.type === 'file')) return;
    this.pendingOf(client).removedRecords.push({ collectionId: collection.id, recordId });
  }

  private pendingOf(client: PoolClient): PendingFiles {
    let pending = this.pendingFiles.get(client);
    if (!pending) {
      pending = { stored: [], removed: [], removedRecords: [] };
      this.pendingFiles.set(client, pending);
    }
    return pending;
  }

  /**
   * Finishes a transaction the caller ran (a batch's): after a commit its events are announced and
   * the old files go; after a rollback the new ones do. Writes in their own transaction do this themselves.
   */
  async settleFiles(tx: PoolClient, committed: boolean): Promise<void> {
    if (committed) this.feed?.committed();
    const hooked = this.pendingHooks.get(tx);
    if (hooked) {
      this.pendingHooks.delete(tx);
      const rolledBack = committed ? undefined : new Error('rolled back with its transaction');
      for (const { action, collection, record } of hooked) {
        await this.hooks?.settled(action, collection, record, rolledBack);
      }
    }
    const pending = this.pendingFiles.get(tx);
    this.pendingFiles.delete(tx);
    const files = this.files;
    if (!pending || !files) return;
    // Storage errors must not turn a committed write into a failure: they are logged by the store.
    const settle = async (work: () => Promise<void>) => work().catch(() => undefined);
    if (committed) {
      for (const { collectionId, recordId, names } of pending.removed) {
        await settle(() => files.delete(collectionId, recordId, names));
      }
      for (const { collectionId, recordId } of pending.removedRecords) {
        await settle(() => files.deleteRecord(collectionId, recordId));
      }
    } else {
      for (const { collectionId, recordId, name } of pending.stored) {
        await settle(() => files.delete(collectionId, recordId, [name]));
      }
    }
  }

  private generateId(field: Field): string {
    // PocketBase's default id pattern is exactly what newRecordId draws: no pattern to parse per create.
    if (field.type !== 'text' || !field.autogeneratePattern || field.autogeneratePattern === RECORD_ID_PATTERN) {
      return newRecordId();
    }
    return generateFromPattern(field.autogeneratePattern);
  }

  /**
   * Superusers, and callers the auth collection's manageRule lets manage this (existing)
   * record, may set `verified`/`email` and change a password without the old one.
   */
  private async isManager(db: Queryable, collection: Collection, existing: Json | null, access: RecordAccess) {
    if (access.isSuperuser) return true;
    if (collection.type !== 'auth' || collection.manageRule === null || !existing) return false;
    return this.matches(db, collection, existing.id, collection.manageRule, access);
  }

  /** A new record asked to be verified: allowed when the manageRule lets the caller manage it, else 400. */
  private async verifyIfManaged(client: PoolClient, collection: Collection, record: Json, access: RecordAccess) {
    const manageRule = isAuthCollection(collection) ? collection.manageRule : null;
    if (!(await this.matches(client, collection, record.id, manageRule, access))) {
      throw new RecordsError(CREATE_FAILED, { verified: VALUES_MISMATCH });
    }
    const verified = await this.write(
      client,
      collection,
      `UPDATE ${quoteIdent(collection.name)} SET verified = TRUE WHERE id = $1 RETURNING *`,
      [record.id],
      { action: 'create', collection },
    );
    return verified as Json;
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
      const { rows } = await statementNames.query<{ id: string }>(
        db,
        target,
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
    for (const { other, field } of this.referencesTo(collection)) {
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
          await this.write(client, other, `DELETE FROM ${table} WHERE id = $1 RETURNING *`, [row.id], {
            action: 'delete',
            collection: other,
          });
          this.removeRecordFilesOnCommit(client, other, row.id);
        } else if (field.required && Number(row.remaining) === 0) {
          throw new RecordsError('records_delete_referenced', {
            '': {
              code: 'validation_required_relation_reference',
              message: `Referenced by ${other.name}.${field.name}.`,
            },
          });
        } else {
          await this.write(
            client,
            other,
            multi
              ? `UPDATE ${table} SET ${column} = array_remove(${column}, $1) WHERE id = $2 RETURNING *`
              : `UPDATE ${table} SET ${column} = '' WHERE id = $2 AND ${column} = $1 RETURNING *`,
            [id, row.id],
            { action: 'update', collection: other },
          );
        }
      }
    }
  }

  /** The relation fields of writable collections that point at `collection`. */
  private referencesTo(collection: Collection): { other: Collection; field: Extract<Field, { type: 'relation' }> }[] {
    return this.lookup
      .all()
      .filter((other) => other.type !== 'view')
      .flatMap((other) =>
        other.fields.flatMap((field) =>
          field.type === 'relation' && field.collectionId === collection.id ? [{ other, field }] : [],
        ),
      );
  }

  /** Runs a write; a unique index violation becomes PocketBase's `validation_not_unique` on its field. */
  private async insertOrExplain<T>(collection: Collection, message: WriteFailure, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      const pg = error as { code?: string; detail?: string };
      if (!isUniqueViolation(error)) throw error;
      const column = /\((?:lower\()?"?([A-Za-z0-9_]+)"?\)?[,)]/.exec(pg.detail ?? '')?.[1] ?? 'id';
      const field = collection.fields.find((candidate) => candidate.name === column)?.name ?? 'id';
      throw new RecordsError(message, {
        [field]: { code: 'validation_not_unique', message: 'Value must be unique.' },
      });
    }
  }

  /** Reads through the caller's transaction when there is one, so a batch sees its own writes. */
  private readerFor(tx: PoolClient | undefined): RecordReader {
    return tx ? new RecordReader(tx, this.lookup) : this.reader;
  }

  /**
   * Runs `run` in its own transaction, or inside the caller's (`tx`, e.g. a batch's). `alone`:
   * `run` issues a single statement, which is atomic by itself and needs no BEGIN/COMMIT.
   */
  private async transaction<T>(
    tx: PoolClient | undefined,
    alone: boolean,
    run: (client: PoolClient) => Promise<T>,
  ): Promise<T> {
    if (tx) return run(tx);
    const client = await this.pool.connect();
    try {
      if (!alone) await client.query('BEGIN');
      const result = await run(client);
      if (!alone) await client.query('COMMIT');
      await this.settleFiles(client, true);
      return result;
    } catch (error) {
      if (!alone) await client.query('ROLLBACK').catch(() => undefined);
      await this.settleFiles(client, false);
      throw error;
    } finally {
      client.release();
    }
  }
}
