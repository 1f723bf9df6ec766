import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ByteRange, PutOptions, StorageDriver, StoredObject } from './storage-driver';

// Object metadata sits in a sidecar directory whose name no stored name can take (they never
// start with a dot), as PocketBase's local driver keeps `.attrs` files.
const ATTRS_DIR = '.attrs';

/** Stores objects as files under one directory (`hb_data/storage` in standalone). */
export class LocalStorageDriver implements StorageDriver {
  private readonly root: string;

  constructor(root: string) {
    this.root = resolve(root);
  }

  async put(key: string, body: Readable, { contentType }: PutOptions): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(join(dirname(path), ATTRS_DIR), { recursive: true });
    // Written aside then renamed: a reader never sees half a file, a failed write leaves nothing.
    const partial = join(dirname(path), `.partial-${randomBytes(8).toString('hex')}`);
    try {
      await pipeline(body, createWriteStream(partial, { flags: 'wx' }));
      await writeFile(this.attrsPathOf(path), JSON.stringify({ contentType }));
      await rename(partial, path);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
  }

  async get(
    key: string,
    range?: ByteRange,
    known?: StoredObject,
  ): Promise<{ object: StoredObject; body: Readable } | null> {
    const object = known ?? (await this.stat(key));
    if (!object) return null;
    const body = createReadStream(this.pathOf(key), range ? { start: range.start, end: range.end } : {});
    return { object, body };
  }

  async stat(key: string): Promise<StoredObject | null> {
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { key, size: info.size, modified: info.mtime, contentType: await this.contentTypeOf(path) };
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    const path = this.pathOf(key);
    await rm(path, { force: true });
    await rm(this.attrsPathOf(path), { force: true });
  }

  async deletePrefix(prefix: string): Promise<void> {
    if (!prefix.endsWith('/')) throw new Error('a prefix ends in "/"');
    await rm(this.pathOf(prefix.slice(0, -1)), { recursive: true, force: true });
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = [];
    const walk = async (dir: string, keyPrefix: string) => {
      let entries: import('node:fs').Dirent[];
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch (error) {
        if (isMissing(error)) return;
        throw error;
      }
      for (const entry of entries) {
        if (entry.name.startsWith('.')) continue;
        const key = keyPrefix + entry.name;
        if (entry.isDirectory()) await walk(join(dir, entry.name), `${key}/`);
        else if (key.startsWith(prefix)) keys.push(key);
      }
    };
    // Walk from the deepest whole directory the prefix names.
    const dirKey = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    await walk(dirKey === '' ? this.root : this.pathOf(dirKey.slice(0, -1)), dirKey);
    return keys.sort();
  }

  private pathOf(key: string): string {
    const parts = key.split('/');
    if (key === '' || parts.some((part) => part === '' || part === '.' || part === '..' || part.startsWith('.'))) {
      throw new Error(`invalid object key: ${key}`);
    }
    const path = resolve(this.root, ...parts);
    if (!path.startsWith(this.root + sep)) throw new Error(`invalid object key: ${key}`);
    return path;
  }

  private attrsPathOf(path: string): string {
    return join(dirname(path), ATTRS_DIR, `${path.slice(dirname(path).length + 1)}.json`);
  }

  private async contentTypeOf(path: string): Promise<string> {
    try {
      const attrs = JSON.parse(await readFile(this.attrsPathOf(path), 'utf8')) as { contentType?: unknown };
      return typeof attrs.contentType === 'string' ? attrs.contentType : 'application/octet-stream';
    } catch {
      return 'application/octet-stream';
    }
  }
}

const isMissing = (error: unknown) => (error as { code?: string }).code === 'ENOENT';
