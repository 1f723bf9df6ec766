import type { Readable } from 'node:stream';

/** What a driver knows about one stored object. */
export interface StoredObject {
  key: string;
  size: number;
  contentType: string;
  modified: Date;
}

export interface PutOptions {
  contentType: string;
  size?: number;
}

/** An inclusive byte range, as HTTP's `Range: bytes=start-end`. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * One storage backend (local directory, S3). Keys are `/`-separated and come from
 * `object-keys.ts` only, so a driver never sees a name a client chose unchecked.
 */
export interface StorageDriver {
  /**
   * Writes the whole stream under `key` (replacing it); nothing is visible until it completes.
   * `size`, when known, lets S3 take it in one PUT instead of a multipart upload.
   */
  put(key: string, body: Readable, options: PutOptions): Promise<void>;
  /**
   * The object's bytes (or a range of them); `null` when it does not exist. `known`: what a
   * `stat` just returned, so the driver need not ask again.
   */
  get(key: string, range?: ByteRange, known?: StoredObject): Promise<{ object: StoredObject; body: Readable } | null>;
  stat(key: string): Promise<StoredObject | null>;
  /** Removes one object; a missing one is not an error (deletes are retried). */
  delete(key: string): Promise<void>;
  /** Removes every object whose key starts with `prefix` (which must end in `/`). */
  deletePrefix(prefix: string): Promise<void>;
  /** Keys under `prefix`, sorted. */
  list(prefix: string): Promise<string[]>;
}
