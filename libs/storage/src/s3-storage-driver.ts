import type { Readable } from 'node:stream';
import type { Client } from 'minio';
import type { ByteRange, PutOptions, StorageDriver, StoredObject } from './storage-driver';

/** PocketBase's `settings.s3` shape (also `backups.s3`). */
export interface S3Options {
  bucket: string;
  region: string;
  /** `https://host[:port]` (or `http://` for a local server). */
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

const isMissing = (error: unknown) => {
  const code = (error as { code?: string }).code;
  return code === 'NotFound' || code === 'NoSuchKey';
};

/** Stores objects in one S3 bucket (any S3-compatible service) through the `minio` client. */
export class S3StorageDriver implements StorageDriver {
  private readonly client: Client;
  private readonly bucket: string;

  constructor(options: S3Options) {
    const endpoint = new URL(options.endpoint);
    const useSSL = endpoint.protocol === 'https:';
    this.bucket = options.bucket;
    // Loaded by the first S3 driver: a process on local storage never needs the client.
    const { Client: S3Client } = require('minio') as typeof import('minio');
    this.client = new S3Client({
      endPoint: endpoint.hostname,
      port: endpoint.port === '' ? (useSSL ? 443 : 80) : Number(endpoint.port),
      useSSL,
      accessKey: options.accessKey,
      secretKey: options.secret,
      region: options.region || undefined,
      pathStyle: options.forcePathStyle,
    });
  }

  async put(key: string, body: Readable, { contentType, size }: PutOptions): Promise<void> {
    // An S3 PUT is atomic: a failed upload leaves no object.
    await this.client.putObject(this.bucket, key, body, size, { 'Content-Type': contentType });
  }

  async get(
    key: string,
    range?: ByteRange,
    known?: StoredObject,
  ): Promise<{ object: StoredObject; body: Readable } | null> {
    const object = known ?? (await this.stat(key));
    if (!object) return null;
    try {
      const body = range
        ? await this.client.getPartialObject(this.bucket, key, range.start, range.end - range.start + 1)
        : await this.client.getObject(this.bucket, key);
      return { object, body };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async stat(key: string): Promise<StoredObject | null> {
    try {
      const info = await this.client.statObject(this.bucket, key);
      const meta = info.metaData as Record<string, unknown>;
      const contentType = meta['content-type'] ?? meta['Content-Type'];
      return {
        key,
        size: info.size,
        modified: info.lastModified,
        contentType: typeof contentType === 'string' ? contentType : 'application/octet-stream',
      };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.removeObject(this.bucket, key);
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error('a prefix ends in "/"');
    const keys = await this.list(prefix);
    // S3's multi-delete takes at most 1000 keys.
    for (let start = 0; start < keys.length; start += 1000) {
      await this.client.removeObjects(this.bucket, keys.slice(start, start + 1000));
    }
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    for await (const item of this.client.listObjectsV2(this.bucket, prefix, true)) {
      const name = (item as { name?: string }).name;
      if (name) keys.push(name);
    }
    return keys.sort();
  }
}
