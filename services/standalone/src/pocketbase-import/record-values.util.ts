import type { StorageKind } from '@hivebase/schema';
import type { SqliteValue } from './pocketbase-data';

/**
 * PocketBase's SQLite values as Hivebase's Postgres columns take them (see docs/schema-storage.md):
 * both store text-like values (dates included, as `YYYY-MM-DD HH:MM:SS.sssZ`) as text, so those pass
 * through; SQLite's 0/1 booleans, JSON-array text of multi-value fields and JSON text of json and
 * geoPoint fields become booleans, text arrays and jsonb text. Lenient like PocketBase's own reads:
 * a value of an older shape (a single value in a field made multiple later) is carried, not lost.
 */
export function columnValue(kind: StorageKind, raw: SqliteValue): unknown {
  switch (kind) {
    case 'text':
      return asText(raw);
    case 'number': {
      const value = typeof raw === 'bigint' ? Number(raw) : Number(asText(raw) || 0);
      return Number.isFinite(value) ? value : 0;
    }
    case 'bool':
      return raw === 1 || raw === 1n || raw === '1' || raw === 'true' || raw === 'TRUE';
    case 'textList':
      return textList(raw);
    case 'json':
      return jsonText(raw);
    case 'geoPoint':
      return geoPointText(raw);
  }
}

/** The SQL cast that makes a parameter the column's type in a multi-row VALUES list. */
export function columnCast(kind: StorageKind): string {
  switch (kind) {
    case 'number':
      return 'double precision';
    case 'bool':
      return 'boolean';
    case 'textList':
      return 'text[]';
    case 'json':
    case 'geoPoint':
      return 'jsonb';
    default:
      return 'text';
  }
}

function asText(raw: SqliteValue): string {
  if (raw === null) return '';
  if (Buffer.isBuffer(raw)) return raw.toString('utf8');
  return String(raw);
}

function textList(raw: SqliteValue): string[] {
  const text = asText(raw).trim();
  if (text === '') return [];
  if (text.startsWith('[')) {
    try {
      const parsed: unknown = JSON.parse(text);
      if (Array.isArray(parsed)) {
        return parsed.filter((item) => item !== null && item !== '').map((item) => String(item));
      }
    } catch {
      // not JSON: a plain value, below
    }
  }
  return [text];
}

function jsonText(raw: SqliteValue): string | null {
  if (raw === null) return null;
  if (typeof raw === 'number' || typeof raw === 'bigint') return String(raw);
  const text = asText(raw);
  try {
    JSON.parse(text);
    return text;
  } catch {
    // SQLite's JSON affinity lets plain text in: keep it as a JSON string rather than drop it.
    return JSON.stringify(text);
  }
}

function geoPointText(raw: SqliteValue): string {
  let lon = 0;
  let lat = 0;
  try {
    const parsed = JSON.parse(asText(raw)) as { lon?: unknown; lat?: unknown } | null;
    lon = Number(parsed?.lon) || 0;
    lat = Number(parsed?.lat) || 0;
  } catch {
    // an unreadable point is PocketBase's zero point
  }
  return JSON.stringify({ lon, lat });
}
