import type { ByteRange } from '@hivebase/storage';

/**
 * One `Range: bytes=` range of a `size`-byte file, as Go's `http.ServeContent` reads it:
 * `undefined` serves the whole file (no header, several ranges, another unit), `null` means
 * unsatisfiable (416).
 */
export function parseByteRange(header: string | undefined, size: number): ByteRange | null | undefined {
  if (!header) return undefined;
  const match = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
  if (!match) return header.startsWith('bytes=') && !header.includes(',') ? null : undefined;
  const [, from = '', to = ''] = match;
  if (from === '' && to === '') return null;
  if (from === '') {
    // The last N bytes.
    const suffix = Number(to);
    if (suffix === 0 || size === 0) return null;
    return { start: Math.max(size - suffix, 0), end: size - 1 };
  }
  const start = Number(from);
  if (start >= size) return null;
  const end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  return end < start ? null : { start, end };
}
