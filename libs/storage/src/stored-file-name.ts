import { randomInt } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const EXT_INVALID = /[^\w.*+=#-]+/g;

function randomPart(length = 10): string {
  let out = '';
  for (let i = 0; i < length; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}

/** `.tar.gz` for `a.tar.gz`, `.png` for `a.png`, `""` without a dot (PocketBase keeps two levels). */
function extensionOf(name: string): string {
  const primary = name.lastIndexOf('.');
  if (primary === -1) return '';
  const secondary = name.lastIndexOf('.', primary - 1);
  return name.slice(secondary >= 0 ? secondary : primary);
}

/** PocketBase's snake case: words split at non-word characters and lower-to-upper turns. */
function snakeCase(text: string): string {
  const words = text.split(/[\W_]+/).filter((word) => word !== '');
  return words
    .map((word) => word.replace(/(?<=[^\p{Lu}])(\p{Lu})/gu, '_$1'))
    .join('_')
    .toLowerCase();
}

/**
 * The name a new upload is stored under, as PocketBase's `normalizeName`: the snake-cased base
 * name (at least 3 and at most 100 characters), `_` and 10 random characters, and the original
 * extension cleaned (or `detectedExt` when it has none). Safe for `object-keys.ts` whatever the
 * client sent: directories, dots and control characters cannot survive it.
 */
export function storedFileName(originalName: string, detectedExt = ''): string {
  let name = originalName.length > 300 ? originalName.slice(-300) : originalName;
  // A client path ("../../x.png", "C:\\dir\\x.png") counts by its last segment only.
  name = name.slice(Math.max(name.lastIndexOf('/'), name.lastIndexOf('\\')) + 1);
  const originalExt = extensionOf(name);
  let ext = `.${originalExt.replace(EXT_INVALID, '').replace(/^\.+|\.+$/g, '')}`;
  if (ext === '.') ext = detectedExt === '' ? '' : `.${detectedExt.replace(EXT_INVALID, '').replace(/^\.+|\.+$/g, '')}`;
  if (ext === '.') ext = '';
  if (ext.length > 20) ext = `.${ext.slice(-20).replace(/^\.+|\.+$/g, '')}`;
  let base = snakeCase(name.slice(0, name.length - originalExt.length).replace(/^\.+|\.+$/g, ''));
  if (base.length < 3) base += randomPart();
  else if (base.length > 100) base = base.slice(0, 100);
  return `${base}_${randomPart()}${ext}`;
}
