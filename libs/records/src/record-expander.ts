import { compileFilter } from '@hivebase/filter';
import {
  type Collection,
  type CollectionLookup,
  type Field,
  findSingleColumnUniqueIndex,
  isMultiValue,
  quoteIdent,
  type RelationField,
} from '@hivebase/schema';
import type { RecordAccess } from './access';
import type { Queryable } from './queryable';

type Json = Record<string, unknown>;

/** PocketBase expands at most this many levels (`a.b.c.d.e.f`). */
export const MAX_EXPAND_DEPTH = 6;

/** What one path segment expands into: the related collection and how rows link to parents. */
interface Link {
  target: Collection;
  /** The parent's ids to fetch by, and the fetched rows of each parent in display order. */
  fetch(parents: Json[]): Promise<Map<string, Json[]>>;
  /** One record (single relation, unique back-relation) or a list. */
  single: boolean;
}

/** `a.b,c` → a tree of path segments, each path cut at MAX_EXPAND_DEPTH. */
export function parseExpand(text: string | undefined): Map<string, string[][]> {
  const tree = new Map<string, string[][]>();
  for (const raw of (text ?? '').split(',')) {
    const path = raw
      .trim()
      .split('.')
      .map((segment) => segment.trim())
      .filter(Boolean)
      .slice(0, MAX_EXPAND_DEPTH);
    if (path.length === 0) continue;
    const [head, ...rest] = path as [string, ...string[]];
    const children = tree.get(head) ?? [];
    if (rest.length > 0) children.push(rest);
    tree.set(head, children);
  }
  return tree;
}

const asIds = (value: unknown): string[] =>
  (Array.isArray(value) ? value : [value]).filter((id): id is string => typeof id === 'string' && id !== '');

/**
 * PocketBase's `expand`: relation fields, nested paths and `other_via_field` back-relations,
 * each expanded record filtered by its own collection's view rule. One query per relation per
 * level, whatever the number of parents. Unknown paths are skipped, as PocketBase skips them.
 */
export class RecordExpander {
  constructor(
    private readonly db: Queryable,
    private readonly lookup: CollectionLookup,
    private readonly toJson: (collection: Collection, row: Json, access: RecordAccess) => Json,
  ) {}

  /** Adds `expand` to each JSON record (same order as `rows`): an object for every valid path, empty if nothing relates. */
  async expand(collection: Collection, rows: Json[], jsons: Json[], expand: string | undefined, access: RecordAccess) {
    await this.expandTree(collection, rows, jsons, parseExpand(expand), access);
  }

  private async expandTree(
    collection: Collection,
    rows: Json[],
    jsons: Json[],
    tree: Map<string, string[][]>,
    access: RecordAccess,
  ): Promise<void> {
    for (const [segment, childPaths] of tree) {
      const link = this.linkFor(collection, segment, access);
      if (!link || rows.length === 0) continue;
      // A valid path gives every record an `expand` object, empty when nothing relates (PocketBase).
      for (const json of jsons) json.expand ??= {};
      const byParent = await link.fetch(rows);
      // Expand deeper on all fetched rows at once (still one query per relation per level).
      const fetchedRows = [...new Map([...byParent.values()].flat().map((row) => [row.id, row])).values()];
      const fetchedJson = new Map(fetchedRows.map((row) => [row.id as string, this.toJson(link.target, row, access)]));
      if (childPaths.length > 0) {
        const childTree = new Map<string, string[][]>();
        for (const [head, ...rest] of childPaths as [string, ...string[]][]) {
          childTree.set(head, [...(childTree.get(head) ?? []), ...(rest.length > 0 ? [rest] : [])]);
        }
        await this.expandTree(
          link.target,
          fetchedRows,
          fetchedRows.map((row) => fetchedJson.get(row.id as string) as Json),
          childTree,
          access,
        );
      }
      rows.forEach((row, index) => {
        const related = (byParent.get(row.id as string) ?? []).map(
          (item) => fetchedJson.get(item.id as string) as Json,
        );
        if (related.length === 0) return;
        (jsons[index]?.expand as Json)[segment] = link.single ? related[0] : related;
      });
    }
  }

  private linkFor(collection: Collection, segment: string, access: RecordAccess): Link | null {
    const field = collection.fields.find(
      (candidate): candidate is RelationField => candidate.name === segment && candidate.type === 'relation',
    );
    if (field) {
      const target = this.lookup.find(field.collectionId);
      if (!target) return null;
      return {
        target,
        single: !isMultiValue(field),
        fetch: async (parents) => {
          const ids = [...new Set(parents.flatMap((parent) => asIds(parent[field.name])))];
          const found = await this.visibleRows(
            target,
            `${quoteIdent(target.name)}.id = ANY($1::text[])`,
            [ids],
            access,
          );
          const byId = new Map(found.map((row) => [row.id as string, row]));
          return new Map<string, Json[]>(
            parents.map((parent) => [
              parent.id as string,
              asIds(parent[field.name]).flatMap((id): Json[] => {
                const row = byId.get(id);
                return row ? [row] : [];
              }),
            ]),
          );
        },
      };
    }
    const via = /^(\w+)_via_(\w+)$/.exec(segment);
    if (!via) return null;
    const source = this.lookup.find(via[1] as string);
    const backField = source?.fields.find(
      (candidate: Field): candidate is RelationField =>
        candidate.name === via[2] && candidate.type === 'relation' && candidate.collectionId === collection.id,
    );
    if (!source || !backField) return null;
    const multiple = isMultiValue(backField);
    return {
      target: source,
      single: !multiple && findSingleColumnUniqueIndex(source.indexes, backField.name) !== null,
      fetch: async (parents) => {
        const ids = parents.map((parent) => parent.id as string);
        const column = `${quoteIdent(source.name)}.${quoteIdent(backField.name)}`;
        const condition = multiple ? `${column} && $1::text[]` : `${column} = ANY($1::text[])`;
        const found = await this.visibleRows(source, condition, [ids], access);
        return new Map<string, Json[]>(
          ids.map((id) => [id, found.filter((row) => asIds(row[backField.name]).includes(id))]),
        );
      },
    };
  }

  /** Rows of `collection` matching `condition` that its view rule lets `access` see. */
  private async visibleRows(
    collection: Collection,
    condition: string,
    params: unknown[],
    access: RecordAccess,
  ): Promise<Json[]> {
    let rule = '';
    let ruleParams: unknown[] = [];
    if (!access.isSuperuser) {
      if (collection.viewRule === null) return [];
      if (collection.viewRule.trim() !== '') {
        const compiled = compileFilter(collection.viewRule, {
          lookup: this.lookup,
          collection,
          request: access.request,
          allowHiddenFields: true,
          paramOffset: params.length,
        });
        rule = ` AND (${compiled.sql})`;
        ruleParams = compiled.params;
      }
    }
    const table = quoteIdent(collection.name);
    const { rows } = await this.db.query<Json>(`SELECT ${table}.* FROM ${table} WHERE ${condition}${rule}`, [
      ...params,
      ...ruleParams,
    ]);
    return rows;
  }
}
