import type { ErrorData, ListResult } from '@hivebase/contracts';
import { compileFilter, compileSort } from '@hivebase/filter';
import { notFound, PG_POOL } from '@hivebase/platform';
import { lookupOf, type SchemaChange, SchemaRegistry, StorageRecordFileStore } from '@hivebase/runtime';
import {
  type Collection,
  type CollectionLookup,
  type ConfigurableOAuth2Provider,
  collectionToJson,
  configurableOAuth2Providers,
  defaultCollectionId,
  inferViewFields,
  isViewCollection,
  makeField,
  type NormalizeResult,
  normalizeCollection,
  quoteIdent,
  validateCollection,
} from '@hivebase/schema';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { COLLECTIONS_ERRORS, CollectionsError, type CollectionsErrorCode } from '../collections.errors';
import { validateCollectionRules } from './collection-rules.validator';

type CollectionJson = Record<string, unknown>;

/** Relation fields elsewhere that point at `collection` (what blocks deleting it). */
function referencesTo(collection: Collection, all: readonly Collection[]): string[] {
  return all
    .filter((other) => other.id !== collection.id)
    .filter((other) => other.fields.some((field) => field.type === 'relation' && field.collectionId === collection.id))
    .map((other) => other.name);
}

/**
 * A new collection without an id of its own gets PocketBase's default id, with `2`, `3`, … appended
 * while another collection has it (an explicit id that is taken is validateCollection's to refuse).
 * The id is settled before normalising, since the auth indexes are named after it.
 */
function normalizeNew(raw: unknown, current: readonly Collection[]): NormalizeResult {
  const first = normalizeCollection(raw);
  const explicit = (raw as { id?: unknown } | null)?.id;
  if ((typeof explicit === 'string' && explicit !== '') || typeof raw !== 'object' || raw === null) return first;
  const base = defaultCollectionId(first.collection.type, first.collection.name);
  let id = base;
  for (let i = 2; i < 1000 && current.some((other) => other.id === id); i++) id = `${base}${i}`;
  return id === first.collection.id ? first : normalizeCollection({ ...raw, id });
}

/** PocketBase cannot even bind a body that is not a JSON object: a 400 without field errors. */
function assertObjectBody(raw: unknown, unbound: CollectionsErrorCode): void {
  if (raw !== undefined && raw !== null && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new CollectionsError(unbound);
  }
}

/** `_collections` described as a collection, so the filter library can compile list filters on it. */
const LIST_SOURCE: Collection = {
  ...normalizeCollection({
    name: '_collections',
    fields: [
      makeField('text', 'created'),
      makeField('text', 'updated'),
      makeField('text', 'name'),
      makeField('bool', 'system'),
      makeField('text', 'type'),
    ],
  }).collection,
  id: '_collections',
};
const LIST_LOOKUP = lookupOf([LIST_SOURCE]);

/** PocketBase's collections API over the schema registry; every write goes through one transaction. */
@Injectable()
export class CollectionsService {
  constructor(
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(StorageRecordFileStore) private readonly files: StorageRecordFileStore,
  ) {}

  findOrThrow(idOrName: string): Collection {
    const collection = this.registry.find(idOrName);
    if (!collection) throw notFound();
    return collection;
  }

  view(idOrName: string): CollectionJson {
    return collectionToJson(this.findOrThrow(idOrName));
  }

  /**
   * The list, filtered and sorted in SQL on `_collections`' own columns (id, created, updated,
   * name, system, type: what PocketBase's collections list allows).
   */
  async list(query: Record<string, string | undefined>): Promise<ListResult<CollectionJson>> {
    const page = Math.max(1, Number.parseInt(query.page ?? '1', 10) || 1);
    const perPage = Math.min(1000, Math.max(1, Number.parseInt(query.perPage ?? '30', 10) || 30));
    const options = {
      lookup: LIST_LOOKUP,
      collection: LIST_SOURCE,
      allowHiddenFields: true,
      allowRequestAndCollectionRefs: false,
    };
    const where = query.filter?.trim() ? compileFilter(query.filter, options) : { sql: 'TRUE', params: [] };
    const sort = query.sort?.trim() ? compileSort(query.sort, { ...options, paramOffset: where.params.length }) : null;
    const params = [...where.params, ...(sort?.params ?? [])];
    const { rows } = await this.pool.query<{ data: Collection }>(
      `SELECT data FROM "_collections" WHERE ${where.sql} ORDER BY ${sort?.sql ? `${sort.sql}, ` : ''}created, id
       LIMIT ${perPage} OFFSET ${(page - 1) * perPage}`,
      params,
    );
    const skipTotal = query.skipTotal === 'true' || query.skipTotal === '1';
    const total = skipTotal
      ? -1
      : Number(
          (await this.pool.query(`SELECT count(*) AS n FROM "_collections" WHERE ${where.sql}`, where.params)).rows[0]
            .n,
        );
    return {
      page,
      perPage,
      totalItems: total,
      totalPages: skipTotal ? -1 : Math.ceil(total / perPage),
      items: rows.map((row) => collectionToJson(row.data)),
    };
  }

  /**
   * Normalises and validates a submitted definition against `current`, before any DDL runs:
   * everything validateCollection checks, the rules resolved against the collection as it would be
   * saved, and the name against Postgres' own relations. Throws the 400 `failure`.
   */
  private async prepare(
    raw: unknown,
    failure: CollectionsErrorCode,
    current: readonly Collection[],
    original?: Collection,
  ): Promise<Collection> {
    const normalized = original ? normalizeCollection(raw, original) : normalizeNew(raw, current);
    const { collection } = normalized;
    const future = lookupOf([...current.filter((other) => other.id !== collection.id), collection]);
    const problems: ErrorData = {
      ...normalized.errors,
      ...validateCollection(collection, { original, lookup: lookupOf(current) }),
    };
    Object.assign(problems, validateCollectionRules(await this.withViewFields(collection, future), future));
    if (!problems.name && (await this.isInternalRelation(collection.name, current))) {
      problems.name = {
        code: 'validation_collection_name_invalid',
        message: "The name shouldn't match with an existing internal table.",
      };
    }
    if (Object.keys(problems).length > 0) throw new CollectionsError(failure, problems);
    return collection;
  }

  /**
   * A view with the fields its query gives (rules name them); the view as it is when the query
   * does not run yet, which the writer then reports under `viewQuery`.
   */
  private async withViewFields(collection: Collection, lookup: CollectionLookup): Promise<Collection> {
    if (!isViewCollection(collection) || !collection.viewQuery.trim()) return collection;
    const client = await this.pool.connect();
    try {
      return { ...collection, fields: await inferViewFields(client, collection.viewQuery, lookup) };
    } catch {
      return collection;
    } finally {
      client.release();
    }
  }

  /**
   * Whether `name` is taken by a Postgres relation (table, view, sequence, index) that is not a
   * collection's table, compared case-insensitively as PocketBase does.
   */
  private async isInternalRelation(name: string, current: readonly Collection[]): Promise<boolean> {
    if (!name || current.some((collection) => collection.name.toLowerCase() === name.toLowerCase())) return false;
    const { rowCount } = await this.pool.query(
      `SELECT 1 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = current_schema() AND lower(c.relname) = lower($1) LIMIT 1`,
      [name],
    );
    return (rowCount ?? 0) > 0;
  }

  async create(raw: unknown): Promise<CollectionJson> {
    const failure = 'collections_create_failed';
    assertObjectBody(raw, 'collections_create_unbound');
    const [saved] = await this.registry.apply(
      async (current) => [{ before: null, after: await this.prepare(raw, failure, current) }],
      COLLECTIONS_ERRORS[failure].message,
    );
    return collectionToJson(saved as Collection);
  }

  /** `readBody` is called once the collection is found (PocketBase's order: 404, then the body). */
  async update(idOrName: string, readBody: () => unknown): Promise<CollectionJson> {
    const failure = 'collections_update_failed';
    const { id } = this.findOrThrow(idOrName);
    const raw = readBody();
    assertObjectBody(raw, 'collections_update_unbound');
    const [saved] = await this.registry.apply(async (current) => {
      const before = current.find((collection) => collection.id === id);
      if (!before) throw notFound();
      return [{ before, after: await this.prepare(raw, failure, current, before) }];
    }, COLLECTIONS_ERRORS[failure].message);
    return collectionToJson(saved as Collection);
  }

  /**
   * PocketBase's messages: a system collection cannot go, nor one that relation fields elsewhere
   * point at (named in the message); `data` stays empty, as PocketBase's errors there are plain.
   */
  async delete(idOrName: string): Promise<void> {
    const failure = 'collections_delete_failed';
    const { id } = this.findOrThrow(idOrName);
    await this.registry.apply((current) => {
      const before = current.find((collection) => collection.id === id);
      if (!before) throw notFound();
      const references = referencesTo(before, current);
      if (references.length > 0) {
        throw new CollectionsError(
          'collections_delete_referenced',
          {},
          { params: { references: references.join(', ') } },
        );
      }
      if (before.system) throw new CollectionsError(failure);
      return [{ before, after: null }];
    }, COLLECTIONS_ERRORS[failure].message);
    // Its files go after the commit, by a retried job.
    await this.files.deleteCollection(id);
  }

  async truncate(idOrName: string): Promise<void> {
    const collection = this.findOrThrow(idOrName);
    if (isViewCollection(collection)) {
      throw new CollectionsError('collections_view_truncate');
    }
    const { rows } = await this.pool.query<{ id: string }>(`DELETE FROM ${quoteIdent(collection.name)} RETURNING id`);
    // By record, not the whole directory: a record created right after must keep its files.
    if (collection.fields.some((field) => field.type === 'file')) {
      await this.files.deleteRecords(
        collection.id,
        rows.map((row) => row.id),
      );
    }
  }

  /**
   * PocketBase's import: the submitted collections replace or join the existing ones (matched
   * by id, else by name); with `deleteMissing` the others go. All or nothing.
   */
  async import(body: unknown): Promise<void> {
    const failure = 'collections_import_failed';
    const input = (body ?? {}) as { collections?: unknown; deleteMissing?: unknown };
    // PocketBase's form: a body that does not bind, then an empty list, then the import itself.
    if (
      (input.collections !== undefined && input.collections !== null && !Array.isArray(input.collections)) ||
      (input.deleteMissing !== undefined && typeof input.deleteMissing !== 'boolean')
    ) {
      throw new CollectionsError('collections_load_failed');
    }
    if (!Array.isArray(input.collections) || input.collections.length === 0) {
      throw new CollectionsError('collections_validation_failed', {
        collections: { code: 'validation_required', message: 'Cannot be blank.' },
      });
    }
    const submitted = input.collections as unknown[];
    await this.registry.apply((current) => {
      const changes: SchemaChange[] = [];
      const errors: ErrorData = {};
      const imported: Collection[] = [];
      // Validation sees the whole imported set, so collections may reference each other.
      const drafts = submitted.map((raw) => {
        const object = (raw ?? {}) as { id?: unknown; name?: unknown };
        const original = current.find(
          (collection) =>
            collection.id === object.id ||
            (typeof object.name === 'string' && collection.name.toLowerCase() === object.name.toLowerCase()),
        );
        return { raw, original, ...normalizeCollection(raw, original) };
      });
      const futureSet = [
        ...current.filter((collection) => !drafts.some((draft) => draft.original?.id === collection.id)),
        ...drafts.map((draft) => draft.collection),
      ];
      drafts.forEach((draft, index) => {
        const futureLookup = lookupOf(futureSet);
        const problems = {
          ...draft.errors,
          ...validateCollection(draft.collection, { original: draft.original, lookup: futureLookup }),
          // Views are inferred by the writer, after the tables they read exist: their rules wait for it.
          ...(isViewCollection(draft.collection) ? {} : validateCollectionRules(draft.collection, futureLookup)),
        };
        if (Object.keys(problems).length > 0) errors[String(index)] = problems;
        imported.push(draft.collection);
        changes.push({ before: draft.original ?? null, after: draft.collection });
      });
      if (Object.keys(errors).length > 0) throw new CollectionsError(failure, { collections: errors });
      if (input.deleteMissing === true) {
        for (const collection of current) {
          if (collection.system || imported.some((item) => item.id === collection.id)) continue;
          changes.unshift({ before: collection, after: null });
        }
      }
      // Tables first, views after, so view queries see the tables they read.
      return changes.sort((a, b) => Number(a.after?.type === 'view') - Number(b.after?.type === 'view'));
    }, COLLECTIONS_ERRORS[failure].message);
  }

  scaffolds(): Record<'auth' | 'base' | 'view', CollectionJson> {
    const scaffold = (type: 'auth' | 'base' | 'view') => {
      const { collection } = normalizeCollection({ type, name: '' });
      return collectionToJson({ ...collection, id: '' });
    };
    return { auth: scaffold('auth'), base: scaffold('base'), view: scaffold('view') };
  }

  /** The providers an auth collection may configure (PocketBase's list for its dashboard), by name. */
  oauth2Providers(): ConfigurableOAuth2Provider[] {
    return configurableOAuth2Providers();
  }
}
