import { type FieldError, isUploadedFile, type UploadedFile } from '@hivebase/contracts';
import {
  type Collection,
  definitionOf,
  EDITOR_DEFAULT_MAX_SIZE,
  FILE_DEFAULT_MAX_SIZE,
  type FileField,
  isViewCollection,
  JSON_DEFAULT_MAX_SIZE,
} from '@hivebase/schema';
import { RecordsError } from './records.errors';

/**
 * Where record files go (libs/storage behind it). The records engine only decides which files a
 * write adds and removes; this stores and deletes them.
 */
export interface RecordFileStore {
  save(collectionId: string, recordId: string, file: UploadedFile): Promise<void>;
  /** Removes the named files of a record with their thumbs; missing ones are no error. */
  delete(collectionId: string, recordId: string, names: string[]): Promise<void>;
  /** Removes every file of a record. */
  deleteRecord(collectionId: string, recordId: string): Promise<void>;
}

/** A file field's value as the body gives it: kept names and new uploads, in order. */
export type FileItem = string | UploadedFile;

const itemName = (item: FileItem) => (typeof item === 'string' ? item : item.name);

/**
 * A body value for a file field as a list of names and uploads: strings cast as PocketBase's
 * `ToUniqueStringSlice` (JSON arrays included), uploads as they are, duplicates dropped.
 */
export function toFileItems(field: FileField, raw: unknown): FileItem[] {
  const items: FileItem[] = [];
  for (const value of Array.isArray(raw) ? raw : [raw]) {
    if (isUploadedFile(value)) items.push(value);
    else {
      const names = definitionOf(field).prepareValue({ ...field, maxSelect: 2 }, value) as string[];
      items.push(...names);
    }
  }
  const seen = new Set<string>();
  return items.filter((item) => {
    const name = itemName(item);
    if (seen.has(name)) return false;
    seen.add(name);
    return true;
  });
}

/** What a write does to one file field: its new stored value, what to upload and to remove. */
export interface FileFieldChange {
  value: string | string[];
  uploads: UploadedFile[];
  removed: string[];
}

const tooLarge = (file: Pick<UploadedFile, 'originalName'>, maxSize: number): FieldError => ({
  code: 'validation_file_size_limit',
  message: `Failed to upload ${file.originalName.slice(0, 300)} - the maximum allowed file size is ${maxSize} bytes.`,
  params: { file: file.originalName.slice(0, 300), maxSize },
});

/**
 * PocketBase's file field checks for a submitted value: only names the record already has may be
 * kept (`validation_invalid_file`), at most `maxSelect` files, then each upload's size (the
 * field's `maxSize`, 5 MiB when 0) and sniffed type against `mimeTypes`.
 */
export function planFileField(
  field: FileField,
  raw: unknown,
  stored: unknown,
): { change: FileFieldChange } | { error: FieldError } {
  const multiple = field.maxSelect > 1;
  let items = toFileItems(field, raw);
  if (!multiple) items = items.slice(-1);
  const old = stored === undefined || stored === null ? [] : (toFileItems(field, stored) as string[]);
  const names = items.map(itemName);

  const problem = definitionOf(field).validateValue(field, multiple ? names : (names[0] ?? ''), { isNew: false });
  if (problem && names.length === 0) return { error: problem };
  const invented = items.filter((item): item is string => typeof item === 'string' && !old.includes(item));
  if (invented.length > 0) {
    const invalidFiles = invented.map((name) => name.slice(0, 250));
    return {
      error: {
        code: 'validation_invalid_file',
        message: `Invalid new files: [${invalidFiles.join(' ')}].`,
        params: { invalidFiles },
      },
    };
  }
  if (problem) return { error: problem };

  const uploads = items.filter(isUploadedFile);
  const maxSize = fileMaxSize(field);
  for (const upload of uploads) {
    if (upload.size > maxSize) return { error: tooLarge(upload, maxSize) };
    const allowed = field.mimeTypes ?? [];
    if (allowed.length > 0 && !allowed.some((type) => sameType(type, upload.contentType))) {
      return {
        error: {
          code: 'validation_invalid_mime_type',
          message: `"${upload.name}" mime type must be one of: ${allowed.join(', ')}.`,
        },
      };
    }
  }
  return {
    change: {
      value: multiple ? names : (names[0] ?? ''),
      uploads,
      removed: old.filter((name) => !names.includes(name)),
    },
  };
}

/** Mime types compared without parameters, case-insensitive (PocketBase's `filetype.Is`). */
function sameType(a: string, b: string): boolean {
  const bare = (value: string) => value.split(';')[0]?.trim().toLowerCase() ?? '';
  return bare(a) === bare(b);
}

/**
 * The body limit of a record create/update, as PocketBase's `dynamicCollectionBodyLimit`: the
 * base limit plus, per field, what its value may weigh (a file field `maxSize × maxSelect`, an
 * editor or JSON field its `maxSize`, each with PocketBase's default when 0). View collections
 * take no writes, so they keep the base.
 */
export function recordBodyLimit(collection: Collection, base: number): number {
  if (isViewCollection(collection)) return base;
  let limit = base;
  for (const field of collection.fields) {
    if (field.type === 'file') {
      limit += (field.maxSize > 0 ? field.maxSize : FILE_DEFAULT_MAX_SIZE) * Math.max(1, field.maxSelect);
    } else if (field.type === 'editor') {
      limit += field.maxSize > 0 ? field.maxSize : EDITOR_DEFAULT_MAX_SIZE;
    } else if (field.type === 'json') {
      limit += field.maxSize > 0 ? field.maxSize : JSON_DEFAULT_MAX_SIZE;
    }
  }
  return limit;
}

/** The file field a multipart part uploads to (`field`, `field+`, `+field`), if it names one. */
export function uploadFieldOf(collection: Collection, partName: string): FileField | undefined {
  const name = partName.replace(/^\+|\+$/g, '');
  return collection.fields.find((field): field is FileField => field.type === 'file' && field.name === name);
}

/** A file field's size limit in bytes (PocketBase's 5 MiB when `maxSize` is 0). */
export const fileMaxSize = (field: FileField): number => (field.maxSize > 0 ? field.maxSize : FILE_DEFAULT_MAX_SIZE);

/**
 * The 400 a create (`isNew`) or update answers for an upload over its field's `maxSize`, as the
 * field validation words it; thrown while the upload streams, so the rest is never read.
 */
export function fileTooLargeError(field: FileField, originalName: string, isNew: boolean): RecordsError {
  return new RecordsError(isNew ? 'records_create_failed' : 'records_update_failed', {
    [field.name]: tooLarge({ originalName }, fileMaxSize(field)),
  });
}
