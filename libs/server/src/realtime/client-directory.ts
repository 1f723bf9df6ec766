import type { connectRedis } from '@hivebase/server';
import type { LoggerService } from '@nestjs/common';

type Redis = Awaited<ReturnType<typeof connectRedis>>;

/** What any replica needs to know about a client another replica may hold. */
export interface DirectoryEntry {
  /** The replica holding the stream. */
  replicaId: string;
  ip: string;
  /** The bound auth as `collectionId/recordId`, "" for a guest. */
  auth: string;
}

/**
 * Where every replica finds every connected client. Standalone has one replica, so its
 * in-process directory knows nothing beyond the local clients; the distributed shape keeps it in
 * Redis, so a subscribe POST may land on any replica.
 */
export interface ClientDirectory {
  readonly replicaId: string;
  register(clientId: string, ip: string): Promise<void>;
  /** The client, if connected to a live replica. */
  find(clientId: string): Promise<DirectoryEntry | null>;
  setAuth(clientId: string, auth: string): Promise<void>;
  remove(clientId: string): Promise<void>;
  close(): Promise<void>;
}

/** Standalone: the local clients are all there is. */
export class InProcessClientDirectory implements ClientDirectory {
  constructor(readonly replicaId: string) {}
  async register(): Promise<void> {}
  async find(): Promise<DirectoryEntry | null> {
    return null;
  }
  async setAuth(): Promise<void> {}
  async remove(): Promise<void> {}
  async close(): Promise<void> {}
}

// Sets the auth only on an entry that still exists: a client that just disconnected stays gone.
const SET_AUTH_IF_PRESENT =
  "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], 'auth', ARGV[1]) end return 0";

const HEARTBEAT_MS = 5_000;
const REPLICA_TTL_MS = 15_000;

/**
 * Distributed: one hash per client (`replica`, `ip`, `auth`) expiring after the longest a stream
 * may live, and a heartbeat key per replica. A client of a replica whose heartbeat lapsed (it
 * died) is not found, so its SDK's next POST gets 404 and it reconnects elsewhere.
 */
export class RedisClientDirectory implements ClientDirectory {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly redis: Redis,
    readonly replicaId: string,
    private readonly prefix: string,
    private readonly entryTtlMs: number,
    private readonly logger: LoggerService,
  ) {
    this.timer = setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  /** Announces this replica before it takes clients. */
  async start(): Promise<void> {
    await this.heartbeat();
  }

  private clientKey(clientId: string): string {
    return `${this.prefix}realtime:client:${clientId}`;
  }

  private replicaKey(replicaId: string): string {
    return `${this.prefix}realtime:replica:${replicaId}`;
  }

  private async heartbeat(): Promise<void> {
    try {
      await this.redis.set(this.replicaKey(this.replicaId), '1', 'PX', REPLICA_TTL_MS);
    } catch (error) {
      this.logger.warn({ msg: 'realtime heartbeat failed', err: error });
    }
  }

  async register(clientId: string, ip: string): Promise<void> {
    const key = this.clientKey(clientId);
    await this.redis.multi().hset(key, { replica: this.replicaId, ip, auth: '' }).pexpire(key, this.entryTtlMs).exec();
  }

  async find(clientId: string): Promise<DirectoryEntry | null> {
    const entry = await this.redis.hgetall(this.clientKey(clientId));
    if (!entry.replica) return null;
    if (entry.replica !== this.replicaId && (await this.redis.exists(this.replicaKey(entry.replica))) === 0)
      return null;
    return { replicaId: entry.replica, ip: entry.ip ?? '', auth: entry.auth ?? '' };
  }

  async setAuth(clientId: string, auth: string): Promise<void> {
    await this.redis.eval(SET_AUTH_IF_PRESENT, 1, this.clientKey(clientId), auth);
  }

  async remove(clientId: string): Promise<void> {
    await this.redis.del(this.clientKey(clientId));
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.redis.del(this.replicaKey(this.replicaId)).catch(() => undefined);
    await this.redis.quit().catch(() => undefined);
  }
}
