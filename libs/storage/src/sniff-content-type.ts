/** How many leading bytes content sniffing reads (what `file-type` needs). */
export const SNIFF_BYTES = 4100;

type FileTypeModule = typeof import('file-type');
let fileType: Promise<FileTypeModule> | undefined;
// `file-type` is ESM only; this package builds to CommonJS.
const loadFileType = () => {
  fileType ??= import('file-type');
  return fileType;
};

/**
 * The content type of a file from its first bytes (never from a client's header or name):
 * binary formats by their signatures (`file-type`), then the text formats PocketBase's sniffer
 * tells apart (html, svg, xml, json, plain text), else `application/octet-stream`.
 */
export async function sniffContentType(head: Buffer): Promise<{ mime: string; ext: string }> {
  const { fileTypeFromBuffer } = await loadFileType();
  const detected = head.length > 0 ? await fileTypeFromBuffer(head) : undefined;
  if (detected) return { mime: detected.mime, ext: detected.ext };
  return sniffText(head);
}

function sniffText(head: Buffer): { mime: string; ext: string } {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const start = text.trimStart().slice(0, 512).toLowerCase();
  if (/^<(!doctype html|html|head|body|script|iframe|h1|div|font|table|a |style|title|b |br|p[ >])/.test(start)) {
    return { mime: 'text/html; charset=utf-8', ext: 'html' };
  }
  if (/^(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype svg[^>]*>\s*)?<svg[\s>]/.test(start)) {
    return { mime: 'image/svg+xml', ext: 'svg' };
  }
  if (start.startsWith('<?xml')) return { mime: 'text/xml; charset=utf-8', ext: 'xml' };
  if (isUtf8Text(head)) {
    const trimmed = text.trim();
    if ((trimmed.startsWith('{') || trimmed.startsWith('[')) && isJson(trimmed)) {
      return { mime: 'application/json', ext: 'json' };
    }
    return { mime: 'text/plain; charset=utf-8', ext: 'txt' };
  }
  return { mime: 'application/octet-stream', ext: '' };
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function isUtf8Text(head: Buffer): boolean {
  if (head.length === 0) return true;
  // A multibyte character cut by the sniff window's end is still text.
  const decoded = new TextDecoder('utf-8', { fatal: false }).decode(head);
  const bad = (decoded.match(/\uFFFD/g) ?? []).length;
  // Binary control bytes (NUL and friends, not tab/newline/form feed/carriage return) mean binary.
  return bad <= 1 && !head.some((byte) => byte < 0x09 || (byte > 0x0d && byte < 0x20));
}

/**
 * Whether a sniffed type is one of a field's allowed `mimeTypes`, as PocketBase's `filetype.Is`
 * compares them: parameters ignored, case-insensitive.
 */
export function mimeTypeAllowed(sniffed: string, allowed: readonly string[]): boolean {
  const bare = (value: string) => value.split(';')[0]?.trim().toLowerCase() ?? '';
  return allowed.some((candidate) => bare(candidate) === bare(sniffed));
}
