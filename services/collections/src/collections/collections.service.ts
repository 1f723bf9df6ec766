import type { ErrorData, ListResult } from '@hivebase/contracts';
import { compileFilter, compileSort } from '@hivebase/filter';
import {
  type Collection,
  type ConfigurableOAuth2Provider,
  collectionToJson,
  configurableOAuth2Providers,
  isViewCollection,
  makeField,
  normalizeCollection,
  quoteIdent,
  validateCollection,
} from '@hivebase/schema';
import { ApiError, lookupOf, notFound, PG_POOL, type SchemaChange, SchemaRegistry } from '@hivebase/server';
import { Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';

type CollectionJson = Record<string, unknown>;

/** Relation fields elsewhere that point at `collection` (what blocks deleting it). */
function referencesTo(collection: Collection, all: readonly Collection[]): string[] {
  return all
    .filter((other) => other.id !== collection.id)
    .filter((other) => other.fields.some((field) => field.type === 'relation' && field.collectionId === collection.id))
    .map((other) => other.name);
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

  /** Normalises and validates a submitted definition against `current`; throws a 400 with `message`. */
  private prepare(raw: unknown, message: string, current: readonly Collection[], original?: Collection): Collection {
    const { collection, errors } = normalizeCollection(raw, original);
    const problems: ErrorData = {
      ...errors,
      ...validateCollection(collection, { original, lookup: lookupOf(current) }),
    };
    if (Object.keys(problems).length > 0) throw new ApiError(400, message, problems);
    return collection;
  }

  async create(raw: unknown): Promise<CollectionJson> {
    const message = 'Failed to create the collection.';
    const [saved] = await this.registry.apply(
      (current) => [{ before: null, after: this.prepare(raw, message, current) }],
      message,
    );
    return collectionToJson(saved as Collection);
  }

  async update(idOrName: string, raw: unknown): Promise<CollectionJson> {
    const message = 'Failed to update the collection.';
    const { id } = this.findOrThrow(idOrName);
    const [saved] = await this.registry.apply((current) => {
      const before = current.find((collection) => collection.id === id);
      if (!before) throw notFound();
      return [{ before, after: this.prepare(raw, message, current, before) }];
    }, message);
    return collectionToJson(saved as Collection);
  }

  async delete(idOrName: string): Promise<void> {
    const { id } = this.findOrThrow(idOrName);
    await this.registry.apply((current) => {
      const before = current.find((collection) => collection.id === id);
      if (!before) throw notFound();
      const blockers = before.system ? ['system collection'] : referencesTo(before, current);
      if (blockers.length > 0) {
        throw new ApiError(400, 'Failed to delete collection due to existing dependency.', {
          '': { code: 'validation_collection_dependency', message: `Referenced by: ${blockers.join(', ')}.` },
        });
      }
      return [{ before, after: null }];
    }, 'Failed to delete collection due to existing dependency.');
  }

  async truncate(idOrName: string): Promise<void> {
    const collection = this.findOrThrow(idOrName);
    if (isViewCollection(collection)) {
      throw new ApiError(400, 'View collections cannot be truncated.');
    }
    await this.pool.query(`DELETE FROM ${quoteIdent(collection.name)}`);
  }

  /**
   * PocketBase's import: the submitted collections replace or join the existing ones (matched
   * by id, else by name); with `deleteMissing` the others go. All or nothing.
   */
  async import(body: unknown): Promise<void> {
    const message = 'Failed to import the submitted collections.';
    const input = (body ?? {}) as { collections?: unknown; deleteMissing?: unknown };
    if (!Array.isArray(input.collections) || input.collections.length === 0) {
      throw new ApiError(400, message, {
        collections: { code: 'validation_required', message: 'Missing required value.' },
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
        const problems = {
          ...draft.errors,
          ...validateCollection(draft.collection, { original: draft.original, lookup: lookupOf(futureSet) }),
        };
        if (Object.keys(problems).length > 0) errors[String(index)] = problems;
        imported.push(draft.collection);
        changes.push({ before: draft.original ?? null, after: draft.collection });
      });
      if (Object.keys(errors).length > 0) throw new ApiError(400, message, { collections: errors });
      if (input.deleteMissing === true) {
        for (const collection of current) {
          if (collection.system || imported.some((item) => item.id === collection.id)) continue;
          changes.unshift({ before: collection, after: null });
        }
      }
      // Tables first, views after, so view queries see the tables they read.
      return changes.sort((a, b) => Number(a.after?.type === 'view') - Number(b.after?.type === 'view'));
    }, message);
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
