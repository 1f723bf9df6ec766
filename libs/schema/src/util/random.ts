import { randomInt } from 'node:crypto';
import { pbDateTime } from '@hivebase/contracts';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A cryptographically random string over `alphabet`. */
export function randomString(length: number, alphabet = ALNUM): string {
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[randomInt(alphabet.length)];
  return out;
}

/** A new record id: 15 characters of `[a-z0-9]`, as PocketBase. */
export const newRecordId = () => randomString(15, LOWER_ALNUM);

/** Current time in PocketBase's wire format `YYYY-MM-DD HH:MM:SS.sssZ`. */
export function nowDateTime(date = new Date()): string {
  return pbDateTime(date);
}
