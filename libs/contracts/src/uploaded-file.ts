const UPLOADED_FILE = Symbol.for('hivebase.uploadedFile');

/**
 * A file part of a multipart request, already streamed to a temporary file (never held in
 * memory) and sniffed: what the records write path stores. The temporary file goes away when
 * the response is sent.
 */
export interface UploadedFile {
  readonly [UPLOADED_FILE]: true;
  /** The client's file name, for messages only. */
  readonly originalName: string;
  /** The name it is stored under: PocketBase's normalised name with its random part. */
  readonly name: string;
  /** Where the bytes wait until the write stores them. */
  readonly path: string;
  readonly size: number;
  /** Sniffed from the content, never the client's header. */
  readonly contentType: string;
}

export function uploadedFile(fields: Omit<UploadedFile, typeof UPLOADED_FILE>): UploadedFile {
  return { [UPLOADED_FILE]: true, ...fields };
}

export function isUploadedFile(value: unknown): value is UploadedFile {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[UPLOADED_FILE] === true;
}
