import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { deferred, pause, Recorder, RecordingLogger } from '../testing/recorder';
import { BullJobQueue, bullQueueName } from './bull-job-queue';
import { InProcessJobQueue } from './in-process-job-queue';
import { JOB_QUEUE, type JobQueue } from './job-queue';
import { JobsModule } from './jobs.module';

const REDIS_URL = process.env.HB_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const RUN_ID = randomUUID().slice(0, 8);
// BullMQ keys of this run: parallel runs never share a queue, and afterAll deletes them all.
const PREFIX = `hbtest-${RUN_ID}`;
// JobsModule uses BullMQ's default prefix, so its test jobs get names of this run instead.
const MODULE_JOB_PREFIX = `hbtest-${RUN_ID}-`;

let nameSeq = 0;
/** A job name no other test uses, so each test has its own BullMQ queue. */
const uniqueName = (label: string) => `${label}-${++nameSeq}`;

const opened: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((queue) => queue.close()));
});

async function deleteKeys(pattern: string): Promise<void> {
  const redis = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

afterAll(async () => {
  await deleteKeys(`${PREFIX}:*`);
  await deleteKeys(`bull:${bullQueueName(MODULE_JOB_PREFIX)}*`);
});

interface QueueOptions {
  logger?: RecordingLogger;
  concurrency?: number;
}

interface QueueKind {
  name: string;
  /** Queues of one kind share their store: with BullMQ, they are workers of one deployment. */
  open(options?: QueueOptions): Promise<JobQueue>;
}

const inProcessKind: QueueKind = {
  name: 'InProcessJobQueue',
  async open(options = {}) {
    const queue = new InProcessJobQueue(options);
    opened.push(queue);
    return queue;
  },
};

const bullKind: QueueKind = {
  name: 'BullJobQueue',
  async open(options = {}) {
    const queue = await BullJobQueue.connect(REDIS_URL, { ...options, prefix: PREFIX });
    opened.push(queue);
    return queue;
  },
};

interface Run {
  data: unknown;
  jobId: string;
  attempt: number;
  at: number;
}

describe.each([inProcessKind, bullKind])('$name', (kind) => {
  it('runs a job with a JSON copy of its data, its id and its attempt', async () => {
    const queue = await kind.open();
    const name = uniqueName('mail');
    const runs = new Recorder<Run>();
    queue.register(name, async (data, { jobId, attempt }) => runs.push({ data, jobId, attempt, at: Date.now() }));
    await queue.start();

    const generatedId = await queue.enqueue(name, { to: 'a@example.com', when: new Date(0) });
    const customId = await queue.enqueue(name, { to: 'b@example.com' }, { jobId: 'welcome-b' });
    expect(customId).toBe('welcome-b');

    const done = await runs.waitFor(2);
    expect(done.map(({ data, jobId, attempt }) => ({ data, jobId, attempt }))).toEqual(
      expect.arrayContaining([
        { data: { to: 'a@example.com', when: '1970-01-01T00:00:00.000Z' }, jobId: generatedId, attempt: 1 },
        { data: { to: 'b@example.com' }, jobId: 'welcome-b', attempt: 1 },
      ]),
    );
  });

  it('retries a failing job with exponential backoff until it succeeds', async () => {
    const logger = new RecordingLogger();
    const queue = await kind.open({ logger });
    const name = uniqueName('flaky');
    const runs = new Recorder<Run>();
    queue.register(name, async (data, { jobId, attempt }) => {
      runs.push({ data, jobId, attempt, at: Date.now() });
      if (attempt < 3) throw new Error(`flaky ${attempt}`);
    });
    await queue.start();
    await queue.enqueue(name, {}, { attempts: 3, backoffMs: 150 });

    const [first, second, third] = await runs.waitFor(3);
    expect([first.attempt, second.attempt, third.attempt]).toEqual([1, 2, 3]);
    // Lower bounds only (a slow machine is never a failure); 15 ms of slack for timer rounding.
    expect(second.at - first.at).toBeGreaterThanOrEqual(150 - 15);
    expect(third.at - second.at).toBeGreaterThanOrEqual(300 - 15);
    const warnings = await logger.waitFor(2, (entry) => entry.level === 'warn');
    expect(warnings.map(({ fields }) => (fields.err as Error).message)).toEqual(['flaky 1', 'flaky 2']);
    expect(logger.items.filter((entry) => entry.level === 'error')).toEqual([]);
  });

  it('logs a job whose attempts ran out, with its error', async () => {
    const logger = new RecordingLogger();
    const queue = await kind.open({ logger });
    const name = uniqueName('doomed');
    const runs = new Recorder<Run>();
    queue.register(name, async (data, { jobId, attempt }) => {
      runs.push({ data, jobId, attempt, at: Date.now() });
      throw new Error(`doomed on attempt ${attempt}`);
    });
    await queue.start();
    const jobId = await queue.enqueue(name, {}, { attempts: 2, backoffMs: 10 });

    const [failure] = await logger.waitFor(1, (entry) => entry.level === 'error');
    expect(failure.fields).toMatchObject({ job: name, jobId, attempt: 2, attempts: 2 });
    expect((failure.fields.err as Error).message).toBe('doomed on attempt 2');
    expect(runs.items.map(({ attempt }) => attempt)).toEqual([1, 2]);
  });

  it('adds a job once while one with its jobId is waiting or running', async () => {
    const queue = await kind.open({ concurrency: 1 });
    const name = uniqueName('dedupe');
    const runs = new Recorder<string>();
    const started = deferred();
    const release = deferred();
    queue.register<{ label: string }>(name, async ({ label }) => {
      runs.push(label);
      if (label === 'blocking') {
        started.resolve();
        await release.promise;
      }
    });

    expect(await queue.enqueue(name, { label: 'blocking' }, { jobId: 'once' })).toBe('once');
    expect(await queue.enqueue(name, { label: 'waiting duplicate' }, { jobId: 'once' })).toBe('once');
    await queue.start();
    await started.promise;
    expect(await queue.enqueue(name, { label: 'running duplicate' }, { jobId: 'once' })).toBe('once');
    // One at a time, first in first out: a duplicate that got in would run before this one.
    await queue.enqueue(name, { label: 'last' });
    release.resolve();
    await runs.waitFor(1, (label) => label === 'last');
    expect(runs.items).toEqual(['blocking', 'last']);
  });

  it('waits delayMs before the first try', async () => {
    const queue = await kind.open();
    const name = uniqueName('later');
    const runs = new Recorder<number>();
    queue.register(name, async () => runs.push(Date.now()));
    await queue.start();
    const enqueuedAt = Date.now();
    await queue.enqueue(name, {}, { delayMs: 400 });
    const [ranAt] = await runs.waitFor(1);
    expect(ranAt - enqueuedAt).toBeGreaterThanOrEqual(400 - 15);
  });

  it('throws when a name is registered twice, or after start', async () => {
    const queue = await kind.open();
    const name = uniqueName('twice');
    queue.register(name, async () => {});
    expect(() => queue.register(name, async () => {})).toThrow(`job "${name}" already has a handler`);
    await queue.start();
    expect(() => queue.register(uniqueName('late'), async () => {})).toThrow(/register handlers before start\(\)/);
  });

  it('rejects options BullMQ would reject', async () => {
    const queue = await kind.open();
    const name = uniqueName('options');
    queue.register(name, async () => {});
    await expect(queue.enqueue(name, {}, { jobId: '42' })).rejects.toThrow(RangeError);
    await expect(queue.enqueue(name, {}, { jobId: 'a:b' })).rejects.toThrow(RangeError);
    await expect(queue.enqueue(name, {}, { attempts: 0 })).rejects.toThrow(/attempts must be an integer/);
    await expect(queue.enqueue(name, {}, { delayMs: -1 })).rejects.toThrow(/delayMs must be/);
  });

  it('closes after the running job finished, then refuses jobs', async () => {
    const queue = await kind.open();
    const name = uniqueName('slow');
    const order: string[] = [];
    const started = deferred();
    const release = deferred();
    queue.register(name, async () => {
      started.resolve();
      await release.promise;
      order.push('job done');
    });
    await queue.start();
    await queue.enqueue(name, {});
    await started.promise;
    const closed = queue.close().then(() => order.push('closed'));
    // Gives a close that does not wait the time to finish first.
    await pause(300);
    order.push('released');
    release.resolve();
    await closed;
    expect(order).toEqual(['released', 'job done', 'closed']);
    await expect(queue.enqueue(name, {})).rejects.toThrow(/queue is closed/);
  });
});

describe('InProcessJobQueue', () => {
  it('fails start() naming the jobs enqueued without a handler', async () => {
    const queue = await inProcessKind.open({ logger: new RecordingLogger() });
    queue.register('handled', async () => {});
    await queue.enqueue('handled', {});
    await queue.enqueue('orphan-a', {});
    await queue.enqueue('orphan-b', {}, { jobId: 'b-1' });
    await expect(queue.start()).rejects.toThrow('jobs were enqueued with no handler registered: orphan-a, orphan-b');
  });

  it('refuses a job without a handler once started', async () => {
    const queue = await inProcessKind.open();
    await queue.start();
    await expect(queue.enqueue('nobody', {})).rejects.toThrow('no handler registered for job "nobody"');
  });

  it('runs no more jobs at once than its concurrency', async () => {
    const queue = await inProcessKind.open({ concurrency: 2 });
    const started = new Recorder<number>();
    const releases = new Map<number, () => void>();
    queue.register<number>('work', (n) => {
      started.push(n);
      return new Promise<void>((resolve) => releases.set(n, resolve));
    });
    await queue.start();
    for (const n of [1, 2, 3, 4]) await queue.enqueue('work', n);
    expect(await started.waitFor(2)).toEqual([1, 2]);
    // A third job would start in the same turn as the second; give it a few turns anyway.
    await pause(50);
    expect(started.items).toEqual([1, 2]);
    releases.get(1)?.();
    expect(await started.waitFor(3)).toEqual([1, 2, 3]);
    releases.get(2)?.();
    expect(await started.waitFor(4)).toEqual([1, 2, 3, 4]);
    for (const release of releases.values()) release();
  });

  it('logs the jobs it never ran when closed', async () => {
    const logger = new RecordingLogger();
    const queue = await inProcessKind.open({ logger });
    queue.register('never', async () => {});
    await queue.enqueue('never', {}, { jobId: 'waiting-one' });
    await queue.enqueue('never', {}, { jobId: 'delayed-one', delayMs: 60_000 });
    await queue.close();
    const [warning] = await logger.waitFor(1, (entry) => entry.level === 'warn');
    expect(warning.fields.jobs).toEqual([
      { name: 'never', id: 'waiting-one', attempt: 1 },
      { name: 'never', id: 'delayed-one', attempt: 1 },
    ]);
  });
});

describe('BullJobQueue', () => {
  it('shares a queue between workers and runs each job exactly once', async () => {
    const [workerA, workerB] = await Promise.all([
      bullKind.open({ concurrency: 1 }),
      bullKind.open({ concurrency: 1 }),
    ]);
    const name = uniqueName('shared');
    const runs = new Recorder<{ worker: string; jobId: string }>();
    const bothRunning = deferred();
    let running = 0;
    for (const [worker, queue] of [
      ['A', workerA],
      ['B', workerB],
    ] as const) {
      queue.register<{ barrier?: boolean }>(name, async ({ barrier }, { jobId }) => {
        runs.push({ worker, jobId });
        if (!barrier) return;
        // With one job at a time per worker, two barrier jobs running together are on both workers.
        running += 1;
        if (running === 2) bothRunning.resolve();
        await bothRunning.promise;
      });
    }
    await Promise.all([workerA.start(), workerB.start()]);

    const barrierIds = [
      await workerA.enqueue(name, { barrier: true }, { jobId: 'barrier-1' }),
      await workerA.enqueue(name, { barrier: true }, { jobId: 'barrier-2' }),
    ];
    const ids = [...barrierIds];
    for (let n = 0; n < 20; n += 1) ids.push(await workerB.enqueue(name, {}));
    await runs.waitFor(ids.length);

    expect(runs.items.map(({ jobId }) => jobId).sort()).toEqual([...ids].sort());
    const barrierWorkers = runs.items.filter(({ jobId }) => barrierIds.includes(jobId)).map(({ worker }) => worker);
    expect(barrierWorkers.sort()).toEqual(['A', 'B']);

    const redis = new Redis(REDIS_URL);
    const inspector = new Queue(bullQueueName(name), { connection: redis, prefix: PREFIX });
    try {
      await expect
        .poll(() => inspector.getJobCounts('wait', 'active', 'delayed', 'completed', 'failed'), { timeout: 10_000 })
        .toEqual({ wait: 0, active: 0, delayed: 0, completed: 0, failed: 0 });
    } finally {
      await inspector.close();
      await redis.quit();
    }
    expect(runs.items).toHaveLength(ids.length);
  });

  it('takes jobs it has no handler for, for the replica that has one', async () => {
    const [producer, consumer] = await Promise.all([bullKind.open(), bullKind.open()]);
    const name = uniqueName('elsewhere');
    await producer.start();
    const jobId = await producer.enqueue(name, { hello: 'there' });
    const runs = new Recorder<Run>();
    consumer.register(name, async (data, meta) => runs.push({ data, ...meta, at: Date.now() }));
    await consumer.start();
    const [run] = await runs.waitFor(1);
    expect(run).toMatchObject({ data: { hello: 'there' }, jobId, attempt: 1 });
  });

  it('fails clearly when nothing listens at the Redis URL', { timeout: 10_000 }, async () => {
    await expect(BullJobQueue.connect('redis://127.0.0.1:1', { prefix: PREFIX })).rejects.toThrow(
      /^cannot connect to Redis at redis:\/\/127\.0\.0\.1:1: .*ECONNREFUSED/,
    );
  });
});

describe('JobsModule', () => {
  const greeted = new Recorder<unknown>();

  async function boot(mode: 'standalone' | 'distributed', jobName: string, enqueueOrphan = false) {
    @Injectable()
    class Greeter implements OnModuleInit {
      constructor(@Inject(JOB_QUEUE) private readonly queue: JobQueue) {}
      async onModuleInit(): Promise<void> {
        this.queue.register(jobName, async (data) => greeted.push(data));
        if (enqueueOrphan) await this.queue.enqueue(`${jobName}-orphan`, {});
      }
    }
    @Module({
      imports: [JobsModule.forRoot({ mode, redisUrl: REDIS_URL, redisPrefix: `hb-test-${randomUUID().slice(0, 8)}` })],
      providers: [Greeter],
    })
    class TestAppModule {}
    return NestFactory.createApplicationContext(TestAppModule, { logger: false });
  }

  it.each(['standalone', 'distributed'] as const)(
    'starts the %s queue after handlers registered and closes it on shutdown',
    async (mode) => {
      const jobName = `${MODULE_JOB_PREFIX}${uniqueName('greet')}`;
      const app = await boot(mode, jobName);
      const queue = app.get<JobQueue>(JOB_QUEUE);
      expect(queue).toBeInstanceOf(mode === 'standalone' ? InProcessJobQueue : BullJobQueue);
      await queue.enqueue(jobName, { mode });
      expect(await greeted.waitFor(1, (data) => JSON.stringify(data) === JSON.stringify({ mode }))).toHaveLength(1);
      await app.close();
      await expect(queue.enqueue(jobName, {})).rejects.toThrow(/queue is closed/);
    },
  );

  it('fails boot in standalone mode when a job has no handler', async () => {
    const jobName = uniqueName('greet');
    await expect(boot('standalone', jobName, true)).rejects.toThrow(
      `jobs were enqueued with no handler registered: ${jobName}-orphan`,
    );
  });
});
