/** PocketBase's rule for a backup name a client picks (`POST /api/backups`). */
export const BACKUP_NAME_PATTERN = /^[a-z0-9_-]+\.zip$/;

/** The prefix of the automatic backups (PocketBase's), the ones `cronMaxKeep` prunes. */
export const AUTO_BACKUP_PREFIX = '@auto_pb_backup_';

/** PocketBase's `inflector.Snakecase`: words (camelCase split too) joined by `_`, lower case. */
export function snakecase(text: string): string {
  return text
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
}

/** `<prefix><app_name>_YYYYMMDDHHMMSS.zip` in UTC, as PocketBase's `generateBackupName`. */
export function generateBackupName(appName: string, prefix: string, now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${prefix}${snakecase(appName).slice(0, 50)}_${stamp}.zip`;
}

/**
 * Whether `key` may name an object in the backups storage: one path part (no `/` or `\`), not
 * starting with a dot, no control character, at most 255 characters. Anything else names no backup.
 */
export function isBackupKey(key: string): boolean {
  return key.length > 0 && key.length <= 255 && !key.startsWith('.') && !hasUnsafeCharacter(key);
}

/** Whether `text` holds a `/`, a backslash or a control character (C0 or DEL). */
export function hasUnsafeCharacter(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code === 0x7f || code === 0x2f || code === 0x5c) return true;
  }
  return false;
}
