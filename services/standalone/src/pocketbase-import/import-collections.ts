import type { CollectionsService } from '@hivebase/collections';
import type { ErrorData } from '@hivebase/contracts';
import type { SchemaRegistry } from '@hivebase/runtime';
import { type Collection, normalizeCollection } from '@hivebase/schema';
import type { ImportReport } from './import-report';
import type { PocketBaseCollection } from './pocketbase-data';

type CollectionJson = Record<string, unknown>;

/** JSON with object keys sorted at every level: stored (jsonb) and fresh definitions compare equal. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : item,
  );
}

/** `{name: {code, message}, fields: {0: {…}}}` as `name: message; fields.0.x: message`. */
export function describeErrors(data: unknown, prefix = ''): string {
  if (!data || typeof data !== 'object') return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(data as Record<string, unknown>)) {
    const path = prefix ? `${prefix}.${key}` : key;
    const entry = value as { message?: unknown } | null;
    if (entry && typeof entry === 'object' && typeof entry.message === 'string' && 'code' in entry) {
      parts.push(`${path || '(collection)'}: ${entry.message}`);
    } else {
      const nested = describeErrors(value, path);
      if (nested) parts.push(nested);
    }
  }
  return parts.join('; ');
}

/** The `data` of a refused import (a ClientError or ApiError), else undefined. */
function errorDataOf(error: unknown): ErrorData | undefined {
  const data = (error as { data?: unknown } | null)?.data;
  return data && typeof data === 'object' ? (data as ErrorData) : undefined;
}

/** What a collection of the import maps to in Hivebase, by id, else by name (as the import API matches). */
export function findCounterpart(
  collections: readonly Collection[],
  pb: Pick<PocketBaseCollection, 'id' | 'name'>,
): Collection | undefined {
  return (
    collections.find((collection) => collection.id === pb.id) ??
    collections.find((collection) => collection.name.toLowerCase() === pb.name.toLowerCase())
  );
}

/**
 * PocketBase's row as the collections import API takes it: options flattened beside the common
 * keys (as PocketBase's own JSON has them), relation targets renamed where a collection already
 * in Hivebase under another id took the PocketBase one's place.
 */
export function importJsonOf(
  pb: PocketBaseCollection,
  idMap: ReadonlyMap<string, string>,
  existing?: Collection,
): CollectionJson {
  const fields = pb.fields.map((raw) => {
    if (!raw || typeof raw !== 'object') return raw;
    let field = raw as Record<string, unknown>;
    const target = field.collectionId;
    if (field.type === 'relation' && typeof target === 'string' && idMap.has(target)) {
      field = { ...field, collectionId: idMap.get(target) };
    }
    // A field Hivebase already has under another id (a collection both start with, such as
    // `users`) is that field: matched by name and type, so its column and data stay.
    const known = existing?.fields.some((other) => other.id === field.id);
    const same = existing?.fields.find((other) => other.name === field.name && other.type === field.type);
    if (!known && same) field = { ...field, id: same.id };
    return field;
  });
  return {
    ...pb.options,
    id: pb.id,
    name: pb.name,
    type: pb.type,
    fields,
    indexes: pb.indexes,
    listRule: pb.listRule,
    viewRule: pb.viewRule,
    createRule: pb.createRule,
    updateRule: pb.updateRule,
    deleteRule: pb.deleteRule,
  };
}

/**
 * Whether importing `json` over `existing` would change nothing (so a re-run leaves the schema,
 * and its version, alone). A view's fields are inferred from its query, so its query decides.
 */
function isUnchanged(json: CollectionJson, existing: Collection | undefined): boolean {
  if (!existing) return false;
  const draft = normalizeCollection(json, existing).collection;
  const comparable = (collection: Collection) => ({
    ...collection,
    created: '',
    updated: '',
    ...(collection.type === 'view' ? { fields: [] } : {}),
  });
  return canonicalJson(comparable(draft)) === canonicalJson(comparable(existing));
}

interface Draft {
  pb: PocketBaseCollection;
  json: CollectionJson;
  existed: boolean;
}

/**
 * Creates and updates PocketBase's collections through the collections API's own import
 * (validation, planner, one transaction each), returning the PocketBase ids that could not be
 * imported. Tables go in one import; one a refusal names is left out (with its reason) and the
 * rest retried, so one bad definition does not hold back the others. Views follow one by one: a
 * view query is SQLite SQL, which Postgres may not take.
 */
export async function importCollections(
  pbCollections: readonly PocketBaseCollection[],
  service: CollectionsService,
  registry: SchemaRegistry,
  report: ImportReport,
): Promise<{ refused: Set<string>; idMap: Map<string, string> }> {
  const current = registry.all();
  const idMap = new Map<string, string>();
  for (const pb of pbCollections) {
    const counterpart = findCounterpart(current, pb);
    if (counterpart && counterpart.id !== pb.id) idMap.set(pb.id, counterpart.id);
  }
  const refused = new Set<string>();
  const drafts: Draft[] = [];
  for (const pb of pbCollections) {
    const existing = findCounterpart(current, pb);
    if (pb.system) {
      // Hivebase has its own system collections (same ids); their definitions stay Hivebase's.
      reportSystemDifferences(pb, existing, report);
      continue;
    }
    const json = importJsonOf(pb, idMap, existing);
    if (isUnchanged(json, existing)) {
      report.collections.unchanged.push(pb.name);
      continue;
    }
    drafts.push({ pb, json, existed: existing !== undefined });
  }

  const refuse = (draft: Draft, reason: string) => {
    refused.add(draft.pb.id);
    report.problems.push({ severity: 'error', subject: `collection ${draft.pb.name}`, reason });
  };
  const imported = (list: Draft[]) => {
    for (const draft of list) report.collections[draft.existed ? 'updated' : 'created'].push(draft.pb.name);
  };

  let tables = drafts.filter((draft) => draft.pb.type !== 'view');
  while (tables.length > 0) {
    try {
      await service.import({ collections: tables.map((draft) => draft.json), deleteMissing: false });
      imported(tables);
      break;
    } catch (error) {
      const perCollection = errorDataOf(error)?.collections as Record<string, unknown> | undefined;
      const named = perCollection ? Object.keys(perCollection).filter((key) => tables[Number(key)]) : [];
      if (named.length === 0) {
        // Postgres refused a statement without saying whose: one at a time finds out.
        await importOneByOne(tables, service, refuse, imported);
        break;
      }
      for (const key of named) refuse(tables[Number(key)], describeErrors(perCollection?.[key]));
      tables = tables.filter((_draft, index) => !named.includes(String(index)));
    }
  }

  for (const view of drafts.filter((draft) => draft.pb.type === 'view')) {
    try {
      await service.import({ collections: [view.json], deleteMissing: false });
      imported([view]);
    } catch (error) {
      refuse(view, reasonOf(error));
    }
  }
  return { refused, idMap };
}

/** Passes of single imports while any succeeds (a relation's target may come later in the list). */
async function importOneByOne(
  drafts: Draft[],
  service: CollectionsService,
  refuse: (draft: Draft, reason: string) => void,
  imported: (list: Draft[]) => void,
): Promise<void> {
  let pending = drafts;
  const reasons = new Map<Draft, string>();
  for (let progress = true; progress && pending.length > 0; ) {
    progress = false;
    const next: Draft[] = [];
    for (const draft of pending) {
      try {
        await service.import({ collections: [draft.json], deleteMissing: false });
        imported([draft]);
        progress = true;
      } catch (error) {
        reasons.set(draft, reasonOf(error));
        next.push(draft);
      }
    }
    pending = next;
  }
  for (const draft of pending) refuse(draft, reasons.get(draft) ?? 'refused');
}

function reasonOf(error: unknown): string {
  const data = errorDataOf(error);
  const perCollection = (data?.collections as Record<string, unknown> | undefined)?.['0'];
  const details = describeErrors(perCollection ?? data);
  const message = error instanceof Error ? error.message : String(error);
  return details ? `${message} ${details}` : message;
}

/** Custom fields on a PocketBase system collection have no place in Hivebase's: say so. */
function reportSystemDifferences(
  pb: PocketBaseCollection,
  existing: Collection | undefined,
  report: ImportReport,
): void {
  if (!existing) {
    report.problems.push({
      severity: 'skipped',
      subject: `collection ${pb.name}`,
      reason: 'a PocketBase system collection Hivebase does not have',
    });
    return;
  }
  const names = new Set(existing.fields.map((field) => field.name));
  const extra = pb.fields
    .map((field) => (field as { name?: unknown }).name)
    .filter((name): name is string => typeof name === 'string' && !names.has(name));
  if (extra.length > 0) {
    report.problems.push({
      severity: 'skipped',
      subject: `collection ${pb.name}`,
      reason: `system collection keeps Hivebase's definition; custom fields not carried: ${extra.join(', ')}`,
    });
  }
}
