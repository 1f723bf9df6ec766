import { AUTH_RECORD_CHANGED, RECORD_CHANGED } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus, PG_POOL } from '@hivebase/platform';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type LoggerService,
  type OnApplicationBootstrap,
  Optional,
} from '@nestjs/common';
import pg from 'pg';
import { OUTBOX_WAKE } from './outbox-waker';

/** Session advisory lock held by the relaying replica ("hboutbox" in ASCII). */
const RELAY_LOCK_KEY = 0x68626f75_74626f78n.toString();

export interface OutboxRelayOptions {
  /** Rows read, published and deleted per round (default 100). */
  batchSize?: number;
  /**
   * After a wake, how long the relay lets more commits gather before it reads (default 5 ms):
   * under a stream of writes a round then carries a burst of rows instead of one or two, each
   * round being a read and a delete on `_outbox`.
   */
  gatherMs?: number;
  /** Fallback poll while leading, for a missed wake (default 1000 ms). */
  pollMs?: number;
  /** How often a standby replica tries to become the relay (default 2000 ms). */
  takeoverMs?: number;
  /** First retry delay after a failure, doubled per failure in a row (default 100 ms)… */
  retryMs?: number;
  /** …up to this (default 10 000 ms). */
  maxRetryMs?: number;
  /** Where leadership changes and failures go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

/** Optional injection token of `OutboxRelayOptions`. */
export const OUTBOX_RELAY_OPTIONS = Symbol('OUTBOX_RELAY_OPTIONS');

/**
 * A row as the relay reads it: the event as JSON text (a `RecordChangedEvent`), published as it
 * is, and for an update or delete of an auth collection's record its `AuthRecordChangedEvent`.
 */
interface OutboxRow {
  id: string;
  event: string;
  authChange: string | null;
}

// Whether a row changed an auth record is read off `_collections`, so events queued by any writer
// (the records engine or an auth flow) announce it; a collection deleted since counts as not auth.
const READ_BATCH = `SELECT o."id", o."event"::text AS "event",
    CASE WHEN c."type" = 'auth' AND o."event"->>'action' <> 'create'
      THEN json_build_object('collectionId', o."event"->>'collectionId', 'recordId', o."event"#>>'{record,id}')::text
    END AS "authChange"
  FROM "_outbox" AS o LEFT JOIN "_collections" AS c ON c."id" = o."event"->>'collectionId'
  ORDER BY o."id" LIMIT $1`;

/**
 * Publishes `_outbox` rows as `record.changed` after their transaction committed, in id order,
 * then deletes them. One replica relays at a time: the holder of a session advisory lock on a
 * dedicated connection, woken by `outbox.wake` on the bus after commits (and polling as a
 * fallback); only the leader listens to wakes. Standbys try the lock periodically; a dead
 * leader's lock goes with its connection.
 *
 * Delivery is at least once: rows are deleted only after they were published, so a crash (or a
 * lost connection) between publishing and deleting publishes them again. Failures are logged and
 * retried with backoff; a row stays until it is published.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly batchSize: number;
  private readonly pollMs: number;
  private readonly gatherMs: number;
  private readonly takeoverMs: number;
  private readonly retryMs: number;
  private readonly maxRetryMs: number;
  private readonly logger: LoggerService;
  private client?: pg.Client;
  private leading = false;
  private stopping = false;
  private running?: Promise<void>;
  private woken = false;
  private endSleep?: () => void;
  private stopHearingWakes?: () => Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: pg.Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Optional() @Inject(OUTBOX_RELAY_OPTIONS) options: OutboxRelayOptions = {},
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.pollMs = options.pollMs ?? 1_000;
    this.gatherMs = options.gatherMs ?? 5;
    this.takeoverMs = options.takeoverMs ?? 2_000;
    this.retryMs = options.retryMs ?? 100;
    this.maxRetryMs = options.maxRetryMs ?? 10_000;
    this.logger = options.logger ?? new Logger(OutboxRelay.name);
  }

  /** Whether this replica holds the relay lock right now. */
  get isLeader(): boolean {
    return this.leading;
  }

  onApplicationBootstrap(): void {
    this.start();
  }

  // Before the bus and the pool close on shutdown, so the current batch can finish.
  async beforeApplicationShutdown(): Promise<void> {
    await this.close();
  }

  /** Starts competing for the lock and relaying; idempotent. */
  start(): void {
    if (this.stopping) throw new Error('outbox relay is closed');
    this.running ??= this.run();
  }

  /** Finishes the current batch, then releases the lock and the connection. */
  async close(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.running;
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let delay: number;
      try {
        if (!this.leading) await this.tryToLead();
        await this.hearWakesWhileLeading();
        delay = this.leading ? ((await this.relayBatch()) ? 0 : this.pollMs) : this.takeoverMs;
        failures = 0;
      } catch (error) {
        failures += 1;
        delay = Math.min(this.retryMs * 2 ** (failures - 1), this.maxRetryMs);
        this.logger.error({ msg: 'outbox relay failed, retrying', retryInMs: delay, err: error });
      }
      if (delay > 0) {
        await this.sleep(delay);
        if (this.leading && !this.stopping && this.gatherMs > 0)
          await new Promise((done) => setTimeout(done, this.gatherMs));
      }
    }
    await this.disconnect();
    await this.hearWakesWhileLeading();
  }

  /**
   * Listens to `outbox.wake` while leading, and only then: a standby would only retry the lock
   * early, and every process hearing every commit's wake costs each of them a message per write.
   * Rows committed before the leader listened are in its next read.
   */
  private async hearWakesWhileLeading(): Promise<void> {
    if (this.leading && !this.stopping && !this.stopHearingWakes) {
      this.stopHearingWakes = await this.bus.subscribe(OUTBOX_WAKE, () => this.wake());
    } else if ((!this.leading || this.stopping) && this.stopHearingWakes) {
      const stop = this.stopHearingWakes;
      this.stopHearingWakes = undefined;
      await stop();
    }
  }

  private async tryToLead(): Promise<void> {
    const client = this.client ?? (await this.connect());
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock($1) AS locked', [
      RELAY_LOCK_KEY,
    ]);
    if (!rows[0]?.locked) return;
    this.leading = true;
    this.logger.log({ msg: 'outbox relay is leading' });
  }

  /** Publishes the oldest rows in id order and deletes those published; true when the batch was full. */
  private async relayBatch(): Promise<boolean> {
    const client = this.clientOrThrow();
    // Named: the relay's own connection parses and plans each of its two statements once. The
    // event comes as text and goes to the bus as it is: no decoding and re-encoding per row.
    const { rows } = await client.query<OutboxRow>({
      name: 'hb_outbox_read_batch',
      text: READ_BATCH,
      values: [this.batchSize],
    });
    if (rows.length === 0) return false;
    // The batch in one step, in id order: published whole (then deleted) or kept whole for the
    // retry, so a later event of a record never goes out without the earlier ones.
    await this.bus.publishJson(
      rows.flatMap((row) =>
        row.authChange === null
          ? [{ event: RECORD_CHANGED, json: row.event }]
          : [
              { event: RECORD_CHANGED, json: row.event },
              { event: AUTH_RECORD_CHANGED, json: row.authChange },
            ],
      ),
    );
    await client.query({
      name: 'hb_outbox_delete',
      text: 'DELETE FROM "_outbox" WHERE "id" = ANY($1::bigint[])',
      values: [rows.map((row) => row.id)],
    });
    return rows.length === this.batchSize;
  }

  private async connect(): Promise<pg.Client> {
    // Its own connection, not the pool's: it lives as long as the lock.
    const client = new pg.Client({ ...this.pool.options, keepAlive: true });
    client.on('error', (error) => this.logger.warn({ msg: 'outbox relay connection failed', err: error }));
    client.on('end', () => {
      if (this.client !== client) return;
      if (this.leading) this.logger.warn({ msg: 'outbox relay lost its connection and the lead' });
      this.client = undefined;
      this.leading = false;
      this.wake();
    });
    await client.connect();
    this.client = client;
    return client;
  }

  private clientOrThrow(): pg.Client {
    if (!this.client) throw new Error('outbox relay has no connection');
    return this.client;
  }

  /** Ending the session releases the lock. */
  private async disconnect(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.leading = false;
    await client?.end().catch(() => undefined);
  }

  private wake(): void {
    this.woken = true;
    this.endSleep?.();
  }

  /** Waits `ms`, or less when woken (a wake, a lost connection, shutdown) meanwhile. */
  private async sleep(ms: number): Promise<void> {
    if (!this.woken) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms);
        this.endSleep = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.endSleep = undefined;
    this.woken = false;
  }
}
