import type { Collection, CollectionLookup } from '@hivebase/schema';
import type { FilterNode, Operand } from '../parser/filter.ast';
import type { CompiledSql, CompileOptions } from './filter.compiler';

/** Compiled texts kept per collection object; past it, the oldest goes. */
export const COMPILED_PER_COLLECTION = 256;

// Keyed by the lookup and the collection object: a schema change replaces every collection object
// of the lookup, so what was compiled against the old ones is never found again (and goes with them).
const compiled = new WeakMap<CollectionLookup, WeakMap<Collection, Map<string, CompiledSql>>>();

/**
 * Where the SQL of a filter, rule or sort text compiled against `collection` with `options` is
 * kept, or null when it cannot be: an explicit `now`. Whether a compile may be kept at all is
 * the caller's call (see `readsOnlySchema`).
 */
export function compiledKey(kind: 'filter' | 'sort', text: string, options: CompileOptions): string | null {
  if (options.now !== undefined) return null;
  const flags = `${options.allowHiddenFields ? 1 : 0}${options.allowRequestAndCollectionRefs === false ? 0 : 1}`;
  return `${kind}\u0000${flags}\u0000${options.paramOffset ?? 0}\u0000${options.baseAlias ?? ''}\u0000${text}`;
}

/**
 * A copy of what `key` compiled to against `options`' collection (the caller may change its
 * params); undefined when nothing was kept, or the collection is unknown (the compile reports it).
 */
export function findCompiled(
  options: Pick<CompileOptions, 'lookup' | 'collection'>,
  key: string,
): CompiledSql | undefined {
  const collections = compiled.get(options.lookup);
  if (!collections) return undefined;
  const collection =
    typeof options.collection === 'string' ? options.lookup.find(options.collection) : options.collection;
  const hit = collection && collections.get(collection)?.get(key);
  return hit ? { sql: hit.sql, params: [...hit.params] } : undefined;
}

export function keepCompiled(lookup: CollectionLookup, collection: Collection, key: string, result: CompiledSql): void {
  let collections = compiled.get(lookup);
  if (!collections) {
    collections = new WeakMap();
    compiled.set(lookup, collections);
  }
  let entries = collections.get(collection);
  if (!entries) {
    entries = new Map();
    collections.set(collection, entries);
  }
  if (entries.size >= COMPILED_PER_COLLECTION) entries.delete(entries.keys().next().value as string);
  entries.set(key, { sql: result.sql, params: [...result.params] });
}

/**
 * True when compiling `node` reads nothing but the schema: no `@request.*` (its values become
 * parameters), no date macro and no function call (they read the clock). Joined collections'
 * list rules can read the request too: compiles that applied one are not kept either.
 */
export function readsOnlySchema(node: FilterNode): boolean {
  if (node.type === 'logical') return node.items.every(readsOnlySchema);
  return operandReadsOnlySchema(node.left) && operandReadsOnlySchema(node.right);
}

function operandReadsOnlySchema(operand: Operand): boolean {
  if (operand.type === 'macro' || operand.type === 'call') return false;
  return operand.type !== 'field' || !operand.name.startsWith('@request');
}
