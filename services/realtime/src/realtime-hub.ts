import { randomBytes } from 'node:crypto';
import type { RequestAuth } from '@hivebase/runtime';
import { RealtimeClient, type SseSink } from './realtime-client';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** A 40-character random client id, as PocketBase's. */
export function newClientId(): string {
  const bytes = randomBytes(40);
  let id = '';
  // 248 = 4 × 62: values above it are skipped so every character is equally likely.
  for (const byte of bytes) if (byte < 248) id += ID_ALPHABET[byte % 62];
  return id.length === 40 ? id : (id + newClientId()).slice(0, 40);
}

/** `collectionId/recordId` of an auth, "" for a guest: how the directory and the 403 check compare them. */
export const authKeyOf = (auth: RequestAuth | null): string => (auth ? `${auth.collection.id}/${auth.record.id}` : '');

/** Index key of a record topic: `coll` for `coll/*`, `coll/ID` for one record (neither part holds a slash). */
const indexKey = (collection: string, recordId: string): string =>
  recordId === '*' ? collection : `${collection}/${recordId}`;

/**
 * The clients whose streams this process holds, indexed by the collection names and ids (and
 * record ids) their topics mention, so an event looks only at the clients that may want it:
 * `coll/ID` subscribers of other records are never visited.
 */
export class RealtimeHub {
  private readonly clients = new Map<string, RealtimeClient>();
  private readonly byCollection = new Map<string, Set<RealtimeClient>>();
  private readonly oauth2 = new Set<RealtimeClient>();

  get size(): number {
    return this.clients.size;
  }

  get(id: string): RealtimeClient | undefined {
    return this.clients.get(id);
  }

  all(): IterableIterator<RealtimeClient> {
    return this.clients.values();
  }

  add(ip: string, sink: SseSink, now: number): RealtimeClient {
    let id = newClientId();
    while (this.clients.has(id)) id = newClientId();
    const client = new RealtimeClient(id, ip, sink, now);
    this.clients.set(id, client);
    return client;
  }

  remove(client: RealtimeClient): void {
    if (this.clients.get(client.id) !== client) return;
    this.unindex(client);
    this.clients.delete(client.id);
  }

  /** Binds `auth` and replaces the subscriptions (PocketBase's subscribe POST). */
  apply(client: RealtimeClient, auth: RequestAuth | null, topics: readonly string[]): void {
    this.unindex(client);
    client.auth = auth;
    client.setSubscriptions(topics);
    this.index(client);
  }

  dropOAuth2(client: RealtimeClient): void {
    client.dropOAuth2Subscription();
    this.oauth2.delete(client);
  }

  /** Clients with a `coll/*` or `coll/recordId` topic, `coll` any of `keys` (a collection's id and name). */
  subscribersOf(keys: readonly string[], recordId: string): Set<RealtimeClient> {
    const found = new Set<RealtimeClient>();
    for (const key of keys) {
      for (const client of this.byCollection.get(key) ?? []) found.add(client);
      for (const client of this.byCollection.get(indexKey(key, recordId)) ?? []) found.add(client);
    }
    return found;
  }

  /** Clients bound to the auth record `recordId` of `collectionId` (or every record of it with `recordId` null). */
  boundTo(collectionId: string, recordId: string | null): RealtimeClient[] {
    const bound: RealtimeClient[] = [];
    for (const client of this.clients.values()) {
      const auth = client.auth;
      if (auth && auth.collection.id === collectionId && (recordId === null || auth.record.id === recordId)) {
        bound.push(client);
      }
    }
    return bound;
  }

  private index(client: RealtimeClient): void {
    for (const subscription of client.subscriptions) {
      if (subscription.parsed.kind === 'oauth2') this.oauth2.add(client);
      if (subscription.parsed.kind !== 'record') continue;
      const key = indexKey(subscription.parsed.collection, subscription.parsed.recordId);
      let set = this.byCollection.get(key);
      if (!set) {
        set = new Set();
        this.byCollection.set(key, set);
      }
      set.add(client);
    }
  }

  private unindex(client: RealtimeClient): void {
    this.oauth2.delete(client);
    for (const subscription of client.subscriptions) {
      if (subscription.parsed.kind !== 'record') continue;
      const key = indexKey(subscription.parsed.collection, subscription.parsed.recordId);
      const set = this.byCollection.get(key);
      set?.delete(client);
      if (set?.size === 0) this.byCollection.delete(key);
    }
  }
}
