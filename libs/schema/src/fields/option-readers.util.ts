import { normalizeDateTime } from './date-time.util';

// Readers for submitted field options. Go's JSON decoder rejects a whole body over one option of
// the wrong JSON type; here such an option falls back to its default instead, and values of the
// right type are kept as given for validateSettings to judge.

export function readBoolean(raw: Record<string, unknown>, key: string, fallback: boolean): boolean {
  const value = raw[key];
  return typeof value === 'boolean' ? value : fallback;
}

export function readString(raw: Record<string, unknown>, key: string, fallback: string): string {
  const value = raw[key];
  return typeof value === 'string' ? value : fallback;
}

/** `help`, the hint the dashboard shows under a field's input (every type but autodate has it). */
export const readHelp = (raw: Record<string, unknown>): string => readString(raw, 'help', '');

/** Integer options (Go `int`): a finite number, truncated; anything else gives the fallback. */
export function readInteger(raw: Record<string, unknown>, key: string, fallback: number): number {
  const value = raw[key];
  return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : fallback;
}

/** Nullable float options (Go `*float64`): a finite number or null. */
export function readNullableNumber(raw: Record<string, unknown>, key: string, fallback: number | null): number | null {
  const value = raw[key];
  if (value === null) {
    return null;
  }
  return typeof value === 'number' && Number.isFinite(value) ? value : fallback;
}

/** String list options: the string items of an array (others dropped), null where allowed. */
export function readStringList(raw: Record<string, unknown>, key: string, fallback: string[]): string[];
export function readStringList(
  raw: Record<string, unknown>,
  key: string,
  fallback: string[] | null,
  nullable: true,
): string[] | null;
export function readStringList(
  raw: Record<string, unknown>,
  key: string,
  fallback: string[] | null,
  nullable = false,
): string[] | null {
  const value = raw[key];
  if (Array.isArray(value)) {
    return value.filter((item): item is string => typeof item === 'string');
  }
  if (value === null && nullable) {
    return null;
  }
  return fallback;
}

/**
 * Date options: normalised to `YYYY-MM-DD HH:MM:SS.sssZ`; an unreadable string is kept as given
 * so validateSettings can reject it (PocketBase would silently clear it).
 */
export function readDateTime(raw: Record<string, unknown>, key: string): string {
  const value = raw[key];
  if (typeof value !== 'string') {
    return '';
  }
  return normalizeDateTime(value) || value;
}
