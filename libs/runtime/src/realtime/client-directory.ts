import type { connectRedis } from '@hivebase/platform';
import type { LoggerService } from '@nestjs/common';

type Redis = Awaited<ReturnType<typeof connectRedis>>;

/** What any replica (or service) needs to know about a realtime client another replica may hold. */
export interface DirectoryEntry {
  /** The replica holding the stream. */
  replicaId: string;
  ip: string;
  /** The bound auth as `collectionId/recordId`, "" for a guest. */
  auth: string;
  /** Subscribed to `@oauth2`: waiting for an OAuth2 redirect (PocketBase's all-in-one flow). */
  oauth2: boolean;
}

/**
 * Where every process finds every connected realtime client: the realtime replicas (a subscribe
 * POST may land on any of them) and the auth service (`/api/oauth2-redirect` must find the client
 * its `state` names). Standalone keeps it in the process, the distributed shape in Redis.
 */
export interface ClientDirectory {
  /** This process's id as a realtime replica. */
  readonly replicaId: string;
  /** Announces this process as a realtime replica holding streams (heartbeats until closed). */
  start(): Promise<void>;
  /** Records a new client held here; its entry lives at most `ttlMs`. */
  register(clientId: string, ip: string, ttlMs: number): Promise<void>;
  /** The client, if connected to a live replica. */
  find(clientId: string): Promise<DirectoryEntry | null>;
  setAuth(clientId: string, auth: string): Promise<void>;
  setOAuth2(clientId: string, waiting: boolean): Promise<void>;
  remove(clientId: string): Promise<void>;
  close(): Promise<void>;
}

/** Standalone: one process holds every client, so a map is the whole directory. */
export class InProcessClientDirectory implements ClientDirectory {
  private readonly entries = new Map<string, DirectoryEntry>();

  constructor(readonly replicaId: string) {}

  async start(): Promise<void> {}

  async register(clientId: string, ip: string): Promise<void> {
    this.entries.set(clientId, { replicaId: this.replicaId, ip, auth: '', oauth2: false });
  }

  async find(clientId: string): Promise<DirectoryEntry | null> {
    const entry = this.entries.get(clientId);
    return entry ? { ...entry } : null;
  }

  async setAuth(clientId: string, auth: string): Promise<void> {
    const entry = this.entries.get(clientId);
    if (entry) entry.auth = auth;
  }

  async setOAuth2(clientId: string, waiting: boolean): Promise<void> {
    const entry = this.entries.get(clientId);
    if (entry) entry.oauth2 = waiting;
  }

  async remove(clientId: string): Promise<void> {
    this.entries.delete(clientId);
  }

  async close(): Promise<void> {
    this.entries.clear();
  }
}

// Sets a field only on an entry that still exists: a client that just disconnected stays gone.
const SET_IF_PRESENT =
  "if redis.call('EXISTS', KEYS[1]) == 1 then return redis.call('HSET', KEYS[1], ARGV[1], ARGV[2]) end return 0";

const HEARTBEAT_MS = 5_000;
const REPLICA_TTL_MS = 15_000;

/**
 * Distributed: one hash per client (`replica`, `ip`, `auth`, `oauth2`) expiring after the longest a
 * stream may live, and a heartbeat key per realtime replica. A client of a replica whose heartbeat
 * lapsed (it died) is not found, so its SDK's next POST gets 404 and it reconnects elsewhere.
 * The Redis connection opens on first use, so processes that never ask pay nothing.
 */
export class RedisClientDirectory implements ClientDirectory {
  private timer: NodeJS.Timeout | null = null;
  private connection: Promise<Redis> | null = null;

  constructor(
    private readonly connect: () => Promise<Redis>,
    readonly replicaId: string,
    private readonly prefix: string,
    private readonly logger: LoggerService,
  ) {}

  private redis(): Promise<Redis> {
    this.connection ??= this.connect();
    return this.connection;
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.timer ??= setInterval(() => void this.heartbeat(), HEARTBEAT_MS);
    this.timer.unref();
  }

  private clientKey(clientId: string): string {
    return `${this.prefix}realtime:client:${clientId}`;
  }

  private replicaKey(replicaId: string): string {
    return `${this.prefix}realtime:replica:${replicaId}`;
  }

  private async heartbeat(): Promise<void> {
    try {
      await (await this.redis()).set(this.replicaKey(this.replicaId), '1', 'PX', REPLICA_TTL_MS);
    } catch (error) {
      this.logger.warn({ msg: 'realtime heartbeat failed', err: error });
    }
  }

  async register(clientId: string, ip: string, ttlMs: number): Promise<void> {
    const key = this.clientKey(clientId);
    await (await this.redis())
      .multi()
      .hset(key, { replica: this.replicaId, ip, auth: '', oauth2: '' })
      .pexpire(key, ttlMs)
      .exec();
  }

  async find(clientId: string): Promise<DirectoryEntry | null> {
    const redis = await this.redis();
    const entry = await redis.hgetall(this.clientKey(clientId));
    if (!entry.replica) return null;
    if (entry.replica !== this.replicaId && (await redis.exists(this.replicaKey(entry.replica))) === 0) return null;
    return { replicaId: entry.replica, ip: entry.ip ?? '', auth: entry.auth ?? '', oauth2: entry.oauth2 === '1' };
  }

  async setAuth(clientId: string, auth: string): Promise<void> {
    await (await this.redis()).eval(SET_IF_PRESENT, 1, this.clientKey(clientId), 'auth', auth);
  }

  async setOAuth2(clientId: string, waiting: boolean): Promise<void> {
    await (await this.redis()).eval(SET_IF_PRESENT, 1, this.clientKey(clientId), 'oauth2', waiting ? '1' : '');
  }

  async remove(clientId: string): Promise<void> {
    await (await this.redis()).del(this.clientKey(clientId));
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    if (!this.connection) return;
    const redis = await this.connection.catch(() => null);
    if (!redis) return;
    if (this.timer) await redis.del(this.replicaKey(this.replicaId)).catch(() => undefined);
    await redis.quit().catch(() => undefined);
  }
}
