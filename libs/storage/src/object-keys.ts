/**
 * Object keys, built here and nowhere else: `<collectionId>/<recordId>/<filename>`, thumbs in
 * `<collectionId>/<recordId>/thumbs_<filename>/<size>_<filename>` as PocketBase lays them out.
 * Every part is checked, so no client-chosen name can climb out of its record's directory.
 */

// Collection and record ids are PocketBase ids (letters, digits, `_`); stored names are what
// `storedFileName` makes; thumb sizes match the field's thumb pattern.
const ID = /^[A-Za-z0-9_]{1,100}$/;
const FILE_NAME = /^[\w.*+=#-]{1,150}$/;
const THUMB = /^\d{1,5}x\d{1,5}[tbf]?$/;

/** Whether `name` may be a stored file name (the same loose check PocketBase applies). */
export function isSafeFileName(name: string): boolean {
  return FILE_NAME.test(name) && name !== '.' && name !== '..' && !name.startsWith('.');
}

function checked(part: string, pattern: RegExp | ((value: string) => boolean), what: string): string {
  const ok = typeof pattern === 'function' ? pattern(part) : pattern.test(part);
  if (!ok) throw new InvalidObjectKeyError(`invalid ${what}`);
  return part;
}

export class InvalidObjectKeyError extends Error {}

/** The directory of one record's files (ends in `/`). */
export function recordPrefix(collectionId: string, recordId: string): string {
  return `${checked(collectionId, ID, 'collection id')}/${checked(recordId, ID, 'record id')}/`;
}

/** The directory of one collection's files (ends in `/`). */
export function collectionPrefix(collectionId: string): string {
  return `${checked(collectionId, ID, 'collection id')}/`;
}

export function recordFileKey(collectionId: string, recordId: string, fileName: string): string {
  return recordPrefix(collectionId, recordId) + checked(fileName, isSafeFileName, 'file name');
}

/** A file's thumbs directory (ends in `/`), removed with the file. */
export function thumbsPrefix(collectionId: string, recordId: string, fileName: string): string {
  return `${recordPrefix(collectionId, recordId)}thumbs_${checked(fileName, isSafeFileName, 'file name')}/`;
}

export function thumbKey(collectionId: string, recordId: string, fileName: string, size: string): string {
  return `${thumbsPrefix(collectionId, recordId, fileName)}${checked(size, THUMB, 'thumb size')}_${fileName}`;
}
