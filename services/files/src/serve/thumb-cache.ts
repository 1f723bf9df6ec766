import type { StoredObject } from '@hivebase/storage';

/** A stored thumb held in memory: what `stat` said about it and its bytes. */
export interface CachedThumb {
  object: StoredObject;
  bytes: Buffer;
}

/**
 * Small thumbs kept in memory after their first read, least recently used out first, so a cached
 * thumb costs the record lookup and nothing from storage. Safe because a thumb's key names one
 * original (a replaced file gets a new random name) and every request still checks that the record
 * holds that original; a deleted file's thumbs are only ever reached through that check.
 */
export class ThumbCache {
  private readonly entries = new Map<string, CachedThumb>();
  private total = 0;

  constructor(
    private readonly maxBytes = 32 * 2 ** 20,
    readonly maxEntryBytes = 256 * 2 ** 10,
  ) {}

  get size(): number {
    return this.total;
  }

  get(key: string): CachedThumb | undefined {
    const entry = this.entries.get(key);
    if (entry) {
      // Map order is insertion order: re-inserting marks it the most recently used.
      this.entries.delete(key);
      this.entries.set(key, entry);
    }
    return entry;
  }

  set(key: string, entry: CachedThumb): void {
    if (entry.bytes.length > this.maxEntryBytes || entry.bytes.length > this.maxBytes) return;
    this.delete(key);
    this.entries.set(key, entry);
    this.total += entry.bytes.length;
    for (const [oldest, old] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      this.total -= old.bytes.length;
    }
  }

  delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    this.total -= entry.bytes.length;
  }
}
