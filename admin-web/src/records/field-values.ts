import type { CollectionModel, RecordModel } from 'pocketbase';
import type { FieldDraft } from '../collections/field-types';

// The record editor's pure helpers: values between the API's shapes and the inputs'.

/** A file field's state in the editor: files kept, files to delete, files chosen to upload. */
export interface FileValue {
  kept: string[];
  removed: string[];
  upload: File[];
}

export function isFileValue(value: unknown): value is FileValue {
  return typeof value === 'object' && value !== null && 'kept' in value && 'upload' in value;
}

export function toFileValue(value: unknown): FileValue {
  if (isFileValue(value)) return value;
  const kept = Array.isArray(value)
    ? (value as unknown[]).filter((v): v is string => typeof v === 'string' && v !== '')
    : typeof value === 'string' && value
      ? [value]
      : [];
  return { kept, removed: [], upload: [] };
}

/** `2024-05-06 07:08:09.000Z` ⇄ the `datetime-local` input's `2024-05-06T07:08:09` (both UTC here). */
export function toPickerValue(value: string): string {
  const match = value.match(/^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)/);
  return match ? `${match[1]}T${match[2]}` : '';
}

export function fromPickerValue(value: string): string {
  const match = value.match(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::(\d{2}))?/);
  return match ? `${match[1]} ${match[2]}:${match[3] ?? '00'}.000Z` : '';
}

/** How a record of `collection` is named in pickers: its presentable fields, else email, else id. */
export function recordLabel(collection: CollectionModel | undefined, record: RecordModel): string {
  const fields = (collection?.fields ?? []) as FieldDraft[];
  const parts = fields
    .filter((f) => f.presentable)
    .map((f) => record[f.name])
    .filter((v) => v !== undefined && v !== null && v !== '')
    .map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v)));
  if (parts.length > 0) return `${parts.join(' · ')} (${record.id})`;
  if (typeof record.email === 'string' && record.email) return `${record.email} (${record.id})`;
  return record.id;
}

/** The related collection's text-like fields a search looks into (besides the id). */
export function searchableFields(collection: CollectionModel | undefined): string[] {
  return ((collection?.fields ?? []) as FieldDraft[])
    .filter((f) => ['text', 'email', 'url'].includes(f.type) && !f.hidden && f.name !== 'id')
    .map((f) => f.name);
}
