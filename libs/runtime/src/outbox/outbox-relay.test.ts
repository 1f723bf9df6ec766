import { randomUUID } from 'node:crypto';
import {
  AUTH_RECORD_CHANGED,
  type AuthRecordChangedEvent,
  RECORD_CHANGED,
  type RecordChangedEvent,
} from '@hivebase/contracts';
import {
  type EncodedEvent,
  EVENT_BUS,
  type EventBus,
  type EventHandler,
  InProcessEventBus,
  PG_POOL,
  RedisEventBus,
} from '@hivebase/platform';
import { createTestDatabase, Recorder, RecordingLogger, type TestDatabase } from '@hivebase/platform/testing';
import { Global, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OutboxModule } from './outbox.module';
import { OutboxRelay } from './outbox-relay';
import { OutboxWaker } from './outbox-waker';
import { writeOutboxEvent } from './write-outbox-event';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const WAIT_MS = 10_000;

let database: TestDatabase;
let pool: pg.Pool;
const closing: { close(): Promise<void> }[] = [];

beforeAll(async () => {
  database = await createTestDatabase();
  pool = new pg.Pool({ connectionString: database.url, max: 20 });
});
afterAll(async () => {
  // `end()` resolves before its connections closed; dropping the database under them would fail them.
  const removed = new Promise<void>((resolve) => {
    let open = pool.totalCount;
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open === 0) resolve();
    });
  });
  await pool.end();
  await removed;
  await database.drop();
});
beforeEach(async () => {
  await pool.query('TRUNCATE "_outbox"');
});
afterEach(async () => {
  // Relays first (they publish on the buses), then the buses.
  for (const resource of closing.splice(0).reverse()) await resource.close();
});

/** Rejects with `what` if `promise` takes longer than WAIT_MS. */
async function within<T>(what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), WAIT_MS);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves once `check` holds, asking again every few milliseconds. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  await within(
    what,
    (async () => {
      while (!(await check())) await new Promise((resolve) => setTimeout(resolve, 10));
    })(),
  );
}

const outboxIsEmpty = async () => (await pool.query('SELECT 1 FROM "_outbox" LIMIT 1')).rowCount === 0;
const outboxSize = async () => Number((await pool.query('SELECT count(*) AS n FROM "_outbox"')).rows[0].n);

function changed(recordId: string, seq: number): RecordChangedEvent {
  return {
    action: seq === 0 ? 'create' : 'update',
    collectionId: 'pbc_posts0000001',
    collectionName: 'posts',
    record: { id: recordId, seq, secret: 'hidden fields travel too' },
    ...(seq > 0 ? { previous: { id: recordId, seq: seq - 1 } } : {}),
  };
}

/** Runs `write` in a transaction that commits, or rolls back when `rollback` is set. */
async function inTransaction(write: (client: pg.PoolClient) => Promise<void>, rollback = false): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await write(client);
    await client.query(rollback ? 'ROLLBACK' : 'COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  } finally {
    client.release();
  }
}

function openInProcessBus(): InProcessEventBus {
  const bus = new InProcessEventBus();
  closing.push(bus);
  return bus;
}

function startRelay(
  bus: EventBus,
  logger = new RecordingLogger(),
  pollMs?: number,
): { relay: OutboxRelay; logger: RecordingLogger } {
  const relay = new OutboxRelay(pool, bus, {
    takeoverMs: 50,
    retryMs: 20,
    maxRetryMs: 200,
    batchSize: 7,
    logger,
    ...(pollMs ? { pollMs } : {}),
  });
  closing.push(relay);
  relay.start();
  return { relay, logger };
}

const leading = (logger: RecordingLogger, times = 1) =>
  within(
    'a relay to lead',
    logger.waitFor(times, (entry) => entry.fields.msg === 'outbox relay is leading'),
  );

async function recordChanges(bus: EventBus): Promise<Recorder<RecordChangedEvent>> {
  const seen = new Recorder<RecordChangedEvent>();
  await bus.subscribe<RecordChangedEvent>(RECORD_CHANGED, seen.push);
  return seen;
}

/** A bus that refuses to publish while `down` says so, as a bus whose Redis is gone does. */
class FlakyBus implements EventBus {
  down: (payload: unknown) => boolean = () => false;
  constructor(private readonly inner: EventBus) {}
  async publish<Payload>(event: string, payload: Payload): Promise<void> {
    if (this.down(payload)) throw new Error('bus down');
    await this.inner.publish(event, payload);
  }
  /** The relay's batches: refused whole when `down` holds for any payload (decoded, as subscribers see it). */
  async publishJson(messages: readonly EncodedEvent[]): Promise<void> {
    if (messages.some(({ json }) => this.down(JSON.parse(json)))) throw new Error('bus down');
    await this.inner.publishJson(messages);
  }
  subscribe<Payload>(event: string, handler: EventHandler<Payload>): Promise<() => Promise<void>> {
    return this.inner.subscribe(event, handler);
  }
  close(): Promise<void> {
    return this.inner.close();
  }
}

describe('OutboxRelay', () => {
  it('publishes events of committed transactions in order, then empties the outbox', async () => {
    const bus = openInProcessBus();
    const seen = await recordChanges(bus);
    const { logger } = startRelay(bus);
    await leading(logger);

    const events = Array.from({ length: 20 }, (_, seq) => changed('rec000000000001', seq));
    await inTransaction(async (client) => {
      for (const event of events.slice(0, 10)) await writeOutboxEvent(client, event);
    });
    await inTransaction(async (client) => {
      for (const event of events.slice(10)) await writeOutboxEvent(client, event);
    });

    expect(await within('20 events', seen.waitFor(20))).toEqual(events);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('is woken by a commit announced on the bus, from this process or another', async () => {
    // The relay would not poll again within the test's patience: only the wakes bring the events.
    const channelPrefix = `hb-test-${randomUUID()}:`;
    const [relayBus, writerBus] = await Promise.all([
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
    ]);
    closing.push(relayBus, writerBus);
    const seen = await recordChanges(relayBus);
    const { logger } = startRelay(relayBus, new RecordingLogger(), 10 * WAIT_MS);
    await leading(logger);
    await until('the relay to go idle', outboxIsEmpty);
    await new Promise((resolve) => setTimeout(resolve, 100));

    const waker = new OutboxWaker(writerBus);
    const first = changed('rec000000000001', 0);
    await inTransaction((client) => writeOutboxEvent(client, first));
    waker.wake();
    expect(await within('the first event', seen.waitFor(1))).toEqual([first]);

    // Wakes while one is in flight collapse, yet the last commit is still announced.
    const rest = Array.from({ length: 5 }, (_, seq) => changed('rec000000000001', seq + 1));
    for (const event of rest) {
      await inTransaction((client) => writeOutboxEvent(client, event));
      waker.wake();
    }
    expect(await within('every event', seen.waitFor(6))).toEqual([first, ...rest]);
  });

  it('announces updates and deletes of auth records as auth.recordChanged too, told by _collections', async () => {
    await pool.query(
      `INSERT INTO "_collections" (id, name, type, data, created, updated)
       VALUES ('pbc_members00001', 'members', 'auth', '{}', '', '') ON CONFLICT DO NOTHING`,
    );
    const bus = openInProcessBus();
    const seen = await recordChanges(bus);
    const authChanges = new Recorder<AuthRecordChangedEvent>();
    await bus.subscribe<AuthRecordChangedEvent>(AUTH_RECORD_CHANGED, authChanges.push);
    const { logger } = startRelay(bus);
    await leading(logger);

    const member = (action: RecordChangedEvent['action'], id: string): RecordChangedEvent => ({
      action,
      collectionId: 'pbc_members00001',
      collectionName: 'members',
      record: { id },
    });
    const events = [
      member('create', 'member000000001'),
      member('update', 'member000000001'),
      changed('rec000000000001', 1),
      member('delete', 'member000000002'),
      { ...changed('rec000000000002', 1), action: 'delete' as const },
    ];
    await inTransaction(async (client) => {
      for (const event of events) await writeOutboxEvent(client, event);
    });

    expect(await within('every event', seen.waitFor(events.length))).toEqual(events);
    // Not for a create, nor for a collection that is not an auth one (or no longer exists).
    expect(await within('the auth changes', authChanges.waitFor(2))).toEqual([
      { collectionId: 'pbc_members00001', recordId: 'member000000001' },
      { collectionId: 'pbc_members00001', recordId: 'member000000002' },
    ]);
    await until('an empty outbox', outboxIsEmpty);
    expect(authChanges.items).toHaveLength(2);
  });

  it('publishes nothing for a rolled-back transaction', async () => {
    const bus = openInProcessBus();
    const seen = await recordChanges(bus);
    const { logger } = startRelay(bus);
    await leading(logger);

    await inTransaction((client) => writeOutboxEvent(client, changed('rolledback00001', 0)), true);
    await inTransaction((client) => writeOutboxEvent(client, changed('committed000001', 0)));

    // The committed event came after the rolled-back one; had that been published, it would be first.
    await within('the committed event', seen.waitFor(1));
    expect(seen.items.map((event) => event.record.id)).toEqual(['committed000001']);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('publishes each event once across two relays on one database, in order per record', async () => {
    const bus = openInProcessBus();
    const seen = await recordChanges(bus);
    const first = startRelay(bus);
    const second = startRelay(bus);
    await Promise.race([leading(first.logger), leading(second.logger)]);

    // Five records changed concurrently, each change of a record committed after the previous one.
    const records = Array.from({ length: 5 }, (_, n) => `rec00000000000${n}`);
    await Promise.all(
      records.map(async (recordId) => {
        for (let seq = 0; seq < 12; seq += 1) {
          await inTransaction((client) => writeOutboxEvent(client, changed(recordId, seq)));
        }
      }),
    );

    await within('60 events', seen.waitFor(60));
    await until('an empty outbox', outboxIsEmpty);
    // A marker published after the outbox emptied arrives after any late duplicate would have.
    await bus.publish(RECORD_CHANGED, changed('marker000000000', 0));
    await within(
      'the marker',
      seen.waitFor(1, (event) => event.record.id === 'marker000000000'),
    );

    const relayed = seen.items.filter((event) => event.record.id !== 'marker000000000');
    expect(relayed).toHaveLength(60);
    for (const recordId of records) {
      const sequence = relayed.filter((event) => event.record.id === recordId).map((event) => event.record.seq);
      expect(sequence).toEqual(Array.from({ length: 12 }, (_, seq) => seq));
    }
    expect([first.relay.isLeader, second.relay.isLeader].filter(Boolean)).toHaveLength(1);
  });

  it('hands over to a standby when the leader closes, which publishes the pending rows', async () => {
    // The leader's bus is down, so its rows are still pending when it goes.
    const leaderBus = new FlakyBus(openInProcessBus());
    leaderBus.down = () => true;
    const leader = startRelay(leaderBus);
    await leading(leader.logger);
    const standbyBus = openInProcessBus();
    const seen = await recordChanges(standbyBus);
    const standby = startRelay(standbyBus);

    const events = Array.from({ length: 10 }, (_, seq) => changed('rec000000000001', seq));
    await inTransaction(async (client) => {
      for (const event of events) await writeOutboxEvent(client, event);
    });
    await within(
      'the leader to fail',
      leader.logger.waitFor(1, (entry) => entry.level === 'error'),
    );
    expect(standby.relay.isLeader).toBe(false);

    await leader.relay.close();
    await leading(standby.logger);
    expect(await within('10 events', seen.waitFor(10))).toEqual(events);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('loses the lead with its connection, and a relay takes over', async () => {
    const bus = openInProcessBus();
    const seen = await recordChanges(bus);
    const first = startRelay(bus);
    await leading(first.logger);
    const second = startRelay(bus);

    // As if the leader's process died: Postgres ends its session, and its lock with it.
    await pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
    );
    await within(
      'the leader to notice',
      first.logger.waitFor(1, (entry) => entry.fields.msg === 'outbox relay lost its connection and the lead'),
    );
    // Either relay may win the lock now (the first one reconnects as a standby).
    await Promise.race([leading(second.logger), leading(first.logger, 2)]);

    await inTransaction((client) => writeOutboxEvent(client, changed('rec000000000001', 0)));
    expect(await within('the event', seen.waitFor(1))).toEqual([changed('rec000000000001', 0)]);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('keeps rows while publishing fails and publishes them, still in order, once it works', async () => {
    const bus = new FlakyBus(openInProcessBus());
    const seen = await recordChanges(bus);
    bus.down = (payload) => (payload as RecordChangedEvent).record.seq === 1;
    const { logger } = startRelay(bus);
    await leading(logger);

    const events = [0, 1, 2].map((seq) => changed('rec000000000001', seq));
    await inTransaction(async (client) => {
      for (const event of events) await writeOutboxEvent(client, event);
    });

    const failures = await within(
      'two failed attempts',
      logger.waitFor(2, (entry) => entry.level === 'error'),
    );
    expect((failures[0].fields.err as Error).message).toBe('bus down');
    // A batch goes out whole or not at all: the three wait together, none went out.
    expect(seen.items).toEqual([]);
    expect(await outboxSize()).toBe(3);

    bus.down = () => false;
    expect(await within('3 events', seen.waitFor(3))).toEqual(events);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('publishes through Redis to other replicas', async () => {
    const channelPrefix = `hbtest:outbox-${randomUUID().slice(0, 8)}:`;
    const [publisher, replica] = await Promise.all([
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
    ]);
    closing.push(publisher, replica);
    const seen = await recordChanges(replica);
    const { logger } = startRelay(publisher);
    await leading(logger);

    const events = Array.from({ length: 15 }, (_, seq) => changed('rec000000000001', seq));
    for (const event of events) await inTransaction((client) => writeOutboxEvent(client, event));

    expect(await within('15 events', seen.waitFor(15))).toEqual(events);
    await until('an empty outbox', outboxIsEmpty);
  });

  it('listens to outbox.wake only while leading, and a new leader starts listening', async () => {
    const channelPrefix = `hbtest:outbox-${randomUUID().slice(0, 8)}:`;
    const [first, second] = await Promise.all([
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
      RedisEventBus.connect(REDIS_URL, { channelPrefix }),
    ]);
    const redis = new Redis(REDIS_URL);
    closing.push(first, second, { close: async () => void redis.disconnect() });
    const listeners = async () => {
      const [, count] = (await redis.pubsub('NUMSUB', `${channelPrefix}outbox.wake`)) as [string, number];
      return Number(count);
    };
    const seen = await recordChanges(second);
    const leader = startRelay(first, new RecordingLogger(), 60_000);
    await leading(leader.logger);
    const standby = startRelay(second, new RecordingLogger(), 60_000);
    await until('the leader to listen', async () => (await listeners()) === 1);

    await leader.relay.close();
    await leading(standby.logger);
    await until('the new leader to listen', async () => (await listeners()) === 1);
    // Polling every minute: only a wake makes the new leader publish within the wait.
    await inTransaction((client) => writeOutboxEvent(client, changed('rec000000000001', 0)));
    await second.publish('outbox.wake', null);
    expect(await within('the event', seen.waitFor(1))).toEqual([changed('rec000000000001', 0)]);
    await standby.relay.close();
    expect(await listeners()).toBe(0);
  });
});

describe('OutboxModule', () => {
  it('relays from boot and stops on shutdown', async () => {
    const bus = new InProcessEventBus();
    @Global()
    @Module({
      providers: [
        { provide: PG_POOL, useValue: pool },
        { provide: EVENT_BUS, useValue: bus },
      ],
      exports: [PG_POOL, EVENT_BUS],
    })
    class TestInfraModule {}
    @Module({ imports: [TestInfraModule, OutboxModule] })
    class TestAppModule {}

    const app = await NestFactory.createApplicationContext(TestAppModule, { logger: false });
    await app.init();
    const seen = await recordChanges(bus);
    try {
      await inTransaction((client) => writeOutboxEvent(client, changed('rec000000000001', 0)));
      expect(await within('the event', seen.waitFor(1))).toEqual([changed('rec000000000001', 0)]);
    } finally {
      await app.close();
      await bus.close();
    }
    expect(app.get(OutboxRelay).isLeader).toBe(false);
  });
});
