/** Types a browser may show in place; everything else downloads (PocketBase's list). */
const INLINE_TYPES = new Set([
  'image/png',
  'image/jpg',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'image/x-icon',
  'image/bmp',
  'video/webm',
  'video/mp4',
  'video/3gpp',
  'video/quicktime',
  'video/x-ms-wmv',
  'audio/basic',
  'audio/aiff',
  'audio/mpeg',
  'audio/midi',
  'audio/mp3',
  'audio/wave',
  'audio/wav',
  'audio/x-wav',
  'audio/x-mpeg',
  'audio/x-m4a',
  'audio/aac',
  'application/pdf',
  'application/x-pdf',
]);

/** Extensions whose type the sniffer cannot tell and PocketBase names itself. */
const EXTENSION_TYPES: Record<string, string> = {
  '.svg': 'image/svg+xml',
  '.css': 'text/css',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.xlsx': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  '.docx': 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  '.pptx': 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
};

/** PocketBase's CSP for served files: nothing loads, scripts never run (svg, html). */
export const FILE_CSP = "default-src 'none'; media-src 'self'; style-src 'unsafe-inline'; sandbox";

/** PocketBase's default: fresh for 30 days, reused while revalidating for one more. */
export const FILE_CACHE_CONTROL = 'max-age=2592000, stale-while-revalidate=86400';

/**
 * The headers a stored file is served with: inline only for the media types above (by the
 * sniffed type, so an HTML body with a PNG name still downloads) unless `download` is asked.
 */
export function fileHeaders(fileName: string, sniffedType: string, download: boolean): Record<string, string> {
  const bare = sniffedType.split(';')[0]?.trim().toLowerCase() ?? '';
  const inline = !download && INLINE_TYPES.has(bare);
  const dot = fileName.lastIndexOf('.');
  const extensionType = dot >= 0 ? EXTENSION_TYPES[fileName.slice(dot).toLowerCase()] : undefined;
  return {
    'content-disposition': `${inline ? 'inline' : 'attachment'}; filename=${fileName}`,
    'content-type': extensionType ?? sniffedType,
    'content-security-policy': FILE_CSP,
    'cache-control': FILE_CACHE_CONTROL,
    'x-content-type-options': 'nosniff',
  };
}

/** Go's `strconv.ParseBool`, which PocketBase reads `download` with. */
export function parseGoBool(raw: unknown): boolean {
  return typeof raw === 'string' && ['1', 't', 'T', 'TRUE', 'true', 'True'].includes(raw);
}
