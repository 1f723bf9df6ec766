import { randomUUID } from 'node:crypto';
import { createServer, type Server, type Socket } from 'node:net';
import { Global, type INestApplicationContext, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { afterEach, describe, expect, it } from 'vitest';
import { HealthChecks } from '../health/health-checks';
import { deferred, pause, Recorder, RecordingLogger } from '../testing/recorder';
import { BusModule } from './bus.module';
import { EVENT_BUS, type EventBus } from './event-bus';
import { InProcessEventBus } from './in-process-event-bus';
import { RedisEventBus } from './redis-event-bus';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
// Channels of this run: parallel runs and other test files never hear each other.
const RUN_PREFIX = `hbtest:${randomUUID().slice(0, 8)}`;

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((bus) => bus.close()));
});

let testSeq = 0;

interface BusKind {
  name: string;
  /** Buses of one `open` call share a channel prefix: replicas of one deployment. */
  open(logger?: RecordingLogger): Promise<EventBus>;
}

function inProcessKind(): BusKind {
  return {
    name: 'InProcessEventBus',
    async open(logger) {
      const bus = new InProcessEventBus({ logger });
      opened.push(bus);
      return bus;
    },
  };
}

function redisKind(): BusKind {
  return {
    name: 'RedisEventBus',
    async open(logger) {
      const bus = await RedisEventBus.connect(REDIS_URL, { channelPrefix: `${RUN_PREFIX}:${testSeq}:`, logger });
      opened.push(bus);
      return bus;
    },
  };
}

describe.each([inProcessKind(), redisKind()])('$name', (kind) => {
  afterEach(() => {
    testSeq += 1;
  });

  it('delivers its own JSON copy to every subscriber of the event, and only of that event', async () => {
    const bus = await kind.open();
    const first = new Recorder<{ nested: { list: number[] }; when: unknown }>();
    const second = new Recorder<unknown>();
    const other = new Recorder<unknown>();
    await bus.subscribe<{ nested: { list: number[] }; when: unknown }>('record.changed', (payload) => {
      first.push(payload);
      payload.nested.list.push(99);
    });
    await bus.subscribe('record.changed', second.push);
    await bus.subscribe('schema.changed', other.push);

    const payload = { nested: { list: [1, 2] }, when: new Date(0) };
    await bus.publish('record.changed', payload);
    await bus.publish('schema.changed', { for: 'other' });

    const expected = { nested: { list: [1, 2] }, when: '1970-01-01T00:00:00.000Z' };
    await second.waitFor(1);
    expect(second.items).toEqual([expected]);
    expect(first.items).toEqual([{ nested: { list: [1, 2, 99] }, when: '1970-01-01T00:00:00.000Z' }]);
    expect(payload.nested.list).toEqual([1, 2]);
    expect(await other.waitFor(1)).toEqual([{ for: 'other' }]);
  });

  it('sends a batch of JSON texts as they are, in order: each subscriber decodes its own copy', async () => {
    const bus = await kind.open();
    const first = new Recorder<{ record: { id: string; tags: string[] } }>();
    const second = new Recorder<unknown>();
    await bus.subscribe<{ record: { id: string; tags: string[] } }>('record.changed', (payload) => {
      first.push(payload);
      payload.record.tags.push('mutated');
    });
    await bus.subscribe('record.changed', second.push);

    const other = new Recorder<unknown>();
    await bus.subscribe('auth.recordChanged', other.push);
    await bus.publishJson([
      { event: 'record.changed', json: '{"record": {"id": "a", "tags": ["x"]}}' },
      { event: 'auth.recordChanged', json: '{"recordId": "a"}' },
      { event: 'record.changed', json: '{"record": {"id": "b", "tags": []}}' },
    ]);
    await bus.publishJson([]);
    await bus.publish('record.changed', { record: { id: 'c', tags: [] } });

    expect(await second.waitFor(3)).toEqual([
      { record: { id: 'a', tags: ['x'] } },
      { record: { id: 'b', tags: [] } },
      { record: { id: 'c', tags: [] } },
    ]);
    expect((await first.waitFor(3))[0]).toEqual({ record: { id: 'a', tags: ['x', 'mutated'] } });
    expect(await other.waitFor(1)).toEqual([{ recordId: 'a' }]);
  });

  it('never runs a handler inside the publish call', async () => {
    const bus = await kind.open();
    const seen = new Recorder<boolean>();
    let publishing = false;
    await bus.subscribe('tick', () => seen.push(publishing));
    publishing = true;
    const published = bus.publish('tick', {});
    publishing = false;
    await published;
    expect(await seen.waitFor(1)).toEqual([false]);
  });

  it('logs failing handlers without failing the publisher or the other handlers', async () => {
    const logger = new RecordingLogger();
    const bus = await kind.open(logger);
    const healthy = new Recorder<unknown>();
    await bus.subscribe('tick', () => {
      throw new Error('sync boom');
    });
    await bus.subscribe('tick', async () => {
      throw new Error('async boom');
    });
    await bus.subscribe('tick', healthy.push);

    await expect(bus.publish('tick', { n: 1 })).resolves.toBeUndefined();
    expect(await healthy.waitFor(1)).toEqual([{ n: 1 }]);
    const errors = await logger.waitFor(2, (entry) => entry.level === 'error');
    expect(errors.map(({ fields }) => [fields.event, (fields.err as Error).message]).sort()).toEqual([
      ['tick', 'async boom'],
      ['tick', 'sync boom'],
    ]);
  });

  it('stops delivering to a handler once it unsubscribed', async () => {
    const bus = await kind.open();
    const gone = new Recorder<unknown>();
    const staying = new Recorder<unknown>();
    const unsubscribe = await bus.subscribe('tick', gone.push);
    await bus.subscribe('tick', staying.push);
    await bus.publish('tick', 1);
    await staying.waitFor(1);
    await unsubscribe();
    await unsubscribe();
    await bus.publish('tick', 2);
    await staying.waitFor(2);
    // Subscribed first, `gone` would have been called before `staying` for the same message.
    expect(gone.items).toEqual([1]);
    expect(staying.items).toEqual([1, 2]);
  });

  it('delivers to a subscriber in publish order', async () => {
    const bus = await kind.open();
    const seen = new Recorder<number>();
    await bus.subscribe('tick', seen.push);
    const sent = Array.from({ length: 20 }, (_, index) => index);
    for (const n of sent) await bus.publish('tick', n);
    expect(await seen.waitFor(sent.length)).toEqual(sent);
  });

  it('rejects a payload that is not JSON, and keeps working', async () => {
    const bus = await kind.open();
    const seen = new Recorder<unknown>();
    await bus.subscribe('tick', seen.push);
    await expect(bus.publish('tick', undefined)).rejects.toThrow(/payload of event "tick" is not JSON-serialisable/);
    await expect(bus.publish('tick', { id: 1n })).rejects.toThrow(TypeError);
    await bus.publish('tick', 'fine');
    expect(await seen.waitFor(1)).toEqual(['fine']);
  });

  it('closes after the running handler finished, then refuses to publish', async () => {
    const bus = await kind.open();
    const order: string[] = [];
    const started = deferred();
    const release = deferred();
    await bus.subscribe('slow', async () => {
      started.resolve();
      await release.promise;
      order.push('handler done');
    });
    await bus.publish('slow', {});
    await started.promise;
    const closed = bus.close().then(() => order.push('closed'));
    // Gives a close that does not wait the time to finish first.
    await pause(200);
    order.push('released');
    release.resolve();
    await closed;
    expect(order).toEqual(['released', 'handler done', 'closed']);
    await expect(bus.publish('slow', {})).rejects.toThrow(/event bus is closed/);
    await expect(bus.publishJson([{ event: 'slow', json: '{}' }])).rejects.toThrow(/event bus is closed/);
  });
});

describe('InProcessEventBus', () => {
  it('drops a delivery whose handler unsubscribed before it ran', async () => {
    const bus = await inProcessKind().open();
    const gone = new Recorder<unknown>();
    const staying = new Recorder<unknown>();
    const unsubscribe = await bus.subscribe('tick', gone.push);
    await bus.subscribe('tick', staying.push);
    await bus.publish('tick', 1);
    await unsubscribe();
    await staying.waitFor(1);
    expect(gone.items).toEqual([]);
  });
});

describe('RedisEventBus', () => {
  const prefix = () => `${RUN_PREFIX}:replicas-${randomUUID().slice(0, 8)}:`;

  it('fans an event out to every replica', async () => {
    const channelPrefix = prefix();
    const [replicaA, replicaB, publisher] = await Promise.all(
      [1, 2, 3].map(() => RedisEventBus.connect(REDIS_URL, { channelPrefix })),
    );
    opened.push(replicaA, replicaB, publisher);
    const seenByA = new Recorder<unknown>();
    const seenByB = new Recorder<unknown>();
    await replicaA.subscribe('schema.changed', seenByA.push);
    await replicaB.subscribe('schema.changed', seenByB.push);
    await publisher.publish('schema.changed', { collection: 'posts' });
    expect(await seenByA.waitFor(1)).toEqual([{ collection: 'posts' }]);
    expect(await seenByB.waitFor(1)).toEqual([{ collection: 'posts' }]);
  });

  it('keeps deployments with different channel prefixes apart', async () => {
    const [ours, theirs] = await Promise.all([
      RedisEventBus.connect(REDIS_URL, { channelPrefix: prefix() }),
      RedisEventBus.connect(REDIS_URL, { channelPrefix: prefix() }),
    ]);
    opened.push(ours, theirs);
    const seenByOurs = new Recorder<unknown>();
    const seenByTheirs = new Recorder<unknown>();
    await ours.subscribe('tick', seenByOurs.push);
    await theirs.subscribe('tick', seenByTheirs.push);
    await theirs.publish('tick', 'theirs');
    await ours.publish('tick', 'ours');
    expect(await seenByOurs.waitFor(1)).toEqual(['ours']);
    expect(await seenByTheirs.waitFor(1)).toEqual(['theirs']);
    expect(seenByOurs.items).toEqual(['ours']);
  });

  it('answers ping while connected, and not once closed', async () => {
    const bus = await RedisEventBus.connect(REDIS_URL, { channelPrefix: prefix() });
    opened.push(bus);
    await bus.subscribe('tick', () => {});
    await expect(bus.ping()).resolves.toBeUndefined();
    await bus.close();
    await expect(bus.ping()).rejects.toThrow();
  });

  it('fails clearly when nothing listens at the Redis URL', { timeout: 10_000 }, async () => {
    await expect(RedisEventBus.connect('redis://127.0.0.1:1')).rejects.toThrow(
      /^cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });

  it('keeps the password out of the error', { timeout: 10_000 }, async () => {
    const failure = RedisEventBus.connect('redis://hb:s3cret-pass@127.0.0.1:1');
    await expect(failure).rejects.toThrow('redis://hb:***@127.0.0.1:1');
    await expect(failure).rejects.not.toThrow(/s3cret-pass/);
  });

  it('gives up after connectTimeoutMs when the server never answers', { timeout: 10_000 }, async () => {
    const sockets = new Set<Socket>();
    const silent: Server = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address();
    if (address === null || typeof address === 'string') throw new Error('expected a TCP address');
    try {
      await expect(
        RedisEventBus.connect(`redis://127.0.0.1:${address.port}`, { connectTimeoutMs: 500 }),
      ).rejects.toThrow(`cannot connect to Redis at redis://127.0.0.1:${address.port}: no answer within 500 ms`);
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('BusModule', () => {
  @Global()
  @Module({ providers: [HealthChecks], exports: [HealthChecks] })
  class TestHealthModule {}

  async function boot(mode: 'standalone' | 'distributed'): Promise<INestApplicationContext> {
    @Module({
      imports: [
        TestHealthModule,
        BusModule.forRoot({ mode, redisUrl: REDIS_URL, redisPrefix: `hb-test-${randomUUID().slice(0, 8)}` }),
      ],
    })
    class TestAppModule {}
    return NestFactory.createApplicationContext(TestAppModule, { logger: false });
  }

  async function roundTrip(bus: EventBus): Promise<unknown[]> {
    const event = `module-test-${randomUUID()}`;
    const seen = new Recorder<unknown>();
    await bus.subscribe(event, seen.push);
    await bus.publish(event, { ok: true });
    return seen.waitFor(1);
  }

  it('provides the in-process bus in standalone mode and closes it on shutdown', async () => {
    const app = await boot('standalone');
    const bus = app.get<EventBus>(EVENT_BUS);
    expect(bus).toBeInstanceOf(InProcessEventBus);
    expect(await roundTrip(bus)).toEqual([{ ok: true }]);
    await app.close();
    await expect(bus.publish('tick', {})).rejects.toThrow(/closed/);
  });

  it('provides the Redis bus in distributed mode, checks it, and closes it on shutdown', async () => {
    const app = await boot('distributed');
    const bus = app.get<EventBus>(EVENT_BUS);
    const checks = app.get(HealthChecks);
    expect(bus).toBeInstanceOf(RedisEventBus);
    expect(await roundTrip(bus)).toEqual([{ ok: true }]);
    expect(await checks.failing(2_000)).toEqual({});
    await app.close();
    expect(Object.keys(await checks.failing(2_000))).toEqual(['redis']);
  });
});
