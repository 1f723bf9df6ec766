import { randomUUID } from 'node:crypto';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, connectRedis, quitRedis } from '@hivebase/platform';
import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import type { Redis } from 'ioredis';

/**
 * PocketBase's "one backup or restore at a time" (its `@activeBackup` store key), shared by every
 * replica of every service: the collections service takes it while it creates or restores a
 * backup, `/api/health` reports `canBackup: false` while anyone holds it.
 */
export interface ActiveBackup {
  /** The name of the backup being created or restored, `null` when none is. */
  current(): Promise<string | null>;
  /**
   * Takes the lock for `name`; `null` when another backup or restore holds it. The holder calls
   * `release()` when done (a holder that dies lets it lapse after a short lease instead).
   */
  acquire(name: string): Promise<{ release(): Promise<void> } | null>;
  close(): Promise<void>;
}

/** Standalone: one process, so a field is the whole truth. */
export class InProcessActiveBackup implements ActiveBackup {
  private held: { name: string; token: string } | null = null;

  async current(): Promise<string | null> {
    return this.held?.name ?? null;
  }

  async acquire(name: string): Promise<{ release(): Promise<void> } | null> {
    if (this.held) return null;
    const token = randomUUID();
    this.held = { name, token };
    return {
      release: async () => {
        if (this.held?.token === token) this.held = null;
      },
    };
  }

  async close(): Promise<void> {}
}

// Deletes the key only while it still holds this holder's value (a lapsed lease may be someone else's now).
const RELEASE_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const RENEW_SCRIPT = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;

/**
 * Distributed: one Redis key holding `<token> <name>` with a lease the holder renews while it
 * works, so a killed process frees the lock within `leaseMs` rather than never.
 */
export class RedisActiveBackup implements ActiveBackup {
  private client: Promise<Redis> | undefined;
  private readonly renewals = new Set<NodeJS.Timeout>();

  constructor(
    private readonly connect: () => Promise<Redis>,
    private readonly key: string,
    private readonly leaseMs = 30_000,
  ) {}

  private redis(): Promise<Redis> {
    this.client ??= this.connect().catch((error: unknown) => {
      this.client = undefined;
      throw error;
    });
    return this.client;
  }

  async current(): Promise<string | null> {
    const value = await (await this.redis()).get(this.key);
    return value === null ? null : value.slice(value.indexOf(' ') + 1);
  }

  async acquire(name: string): Promise<{ release(): Promise<void> } | null> {
    const redis = await this.redis();
    const value = `${randomUUID()} ${name}`;
    const taken = await redis.set(this.key, value, 'PX', this.leaseMs, 'NX');
    if (taken !== 'OK') return null;
    const renew = setInterval(() => {
      redis.eval(RENEW_SCRIPT, 1, this.key, value, String(this.leaseMs)).catch(() => undefined);
    }, this.leaseMs / 3);
    renew.unref();
    this.renewals.add(renew);
    return {
      release: async () => {
        clearInterval(renew);
        this.renewals.delete(renew);
        await redis.eval(RELEASE_SCRIPT, 1, this.key, value);
      },
    };
  }

  async close(): Promise<void> {
    for (const renew of this.renewals) clearInterval(renew);
    this.renewals.clear();
    const pending = this.client;
    this.client = undefined;
    if (!pending) return;
    try {
      await quitRedis(await pending);
    } catch {
      // never connected: nothing to close
    }
  }
}

export const ACTIVE_BACKUP = Symbol('ACTIVE_BACKUP');

/** The lock for the process's shape: Redis when distributed, in-process when standalone. */
export function createActiveBackup(config: BaseConfig): ActiveBackup {
  if (config.mode !== 'distributed') return new InProcessActiveBackup();
  const logger = new Logger('ActiveBackup');
  return new RedisActiveBackup(
    () => connectRedis(config.redisUrl, { role: 'active-backup', logger }),
    `${config.redisPrefix}:backups:active`,
  );
}

/** One lock per process, read by `/api/health` and taken by the backups API. */
@Global()
@Module({
  providers: [{ provide: ACTIVE_BACKUP, inject: [APP_CONFIG], useFactory: createActiveBackup }],
  exports: [ACTIVE_BACKUP],
})
export class ActiveBackupModule implements OnApplicationShutdown {
  constructor(@Inject(ACTIVE_BACKUP) private readonly lock: ActiveBackup) {}

  async onApplicationShutdown(): Promise<void> {
    await this.lock.close();
  }
}
