/** A stored record as node-pg returns it. */
export type RecordRow = Record<string, unknown> & { id: string };

interface Entry {
  row: RecordRow;
  expiresAt: number;
}

/**
 * Auth records recently used to verify a token, by collection and id. Entries live for at most
 * `ttlMs` (a replica that missed an eviction event is stale for no longer than that) and are
 * dropped at once when the record changes. The oldest entries go first once `maxEntries` is reached.
 */
export class AuthRecordCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs = 1_000,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  get(collectionId: string, recordId: string): RecordRow | undefined {
    const key = `${collectionId}/${recordId}`;
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.row;
  }

  set(collectionId: string, row: RecordRow): void {
    const key = `${collectionId}/${row.id}`;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { row, expiresAt: this.now() + this.ttlMs });
  }

  evict(collectionId: string, recordId: string): void {
    this.entries.delete(`${collectionId}/${recordId}`);
  }

  clear(): void {
    this.entries.clear();
  }
}
