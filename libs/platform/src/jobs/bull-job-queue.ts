import { Logger, type LoggerService } from '@nestjs/common';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { connectRedis, quitRedis, type RedisConnectOptions } from '../redis/connect-redis';
import { type EnqueueOptions, type JobHandler, type JobQueue, resolveEnqueueOptions } from './job-queue';

export interface BullJobQueueOptions extends RedisConnectOptions {
  /** Prefix of every BullMQ key (default BullMQ's own, `bull`); tests use it to stay apart. */
  prefix?: string;
  /** Jobs of one name this process runs at once (default 4). */
  concurrency?: number;
  /** Where retries and failures go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

type State = 'idle' | 'started' | 'closing' | 'closed';

/** BullMQ queue of job `name`: a queue per name, so each name's workers take only their own jobs. */
export function bullQueueName(name: string): string {
  return `hb-${name}`;
}

/**
 * The distributed-mode queue on BullMQ. Any replica may enqueue any job; a replica runs only the
 * names it registered, and each job runs on exactly one of them. Finished jobs are removed from
 * Redis (failed ones after their error is logged), so a `jobId` dedupes only while its job is
 * pending, as in the in-process queue.
 */
export class BullJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  private readonly queues = new Map<string, Queue<unknown, void, string>>();
  private readonly workers: Worker<unknown, void, string>[] = [];
  private state: State = 'idle';
  private closing: Promise<void> | undefined;

  private constructor(
    /** BullMQ itself, loaded by `connect`: a standalone process, which never uses it, skips loading it. */
    private readonly bullmq: typeof import('bullmq'),
    /** Shared by every Queue; fails commands fast when Redis is down. */
    private readonly producer: Redis,
    /**
     * Never connected itself: each Worker duplicates it into its own connections, which BullMQ
     * requires to retry forever (`maxRetriesPerRequest: null`).
     */
    private readonly workerTemplate: Redis,
    private readonly prefix: string,
    private readonly concurrency: number,
    private readonly logger: LoggerService,
  ) {}

  /** Resolves once Redis answers; rejects within `connectTimeoutMs` when it is unreachable. */
  static async connect(url: string, options: BullJobQueueOptions = {}): Promise<BullJobQueue> {
    const { prefix = 'bull', concurrency = 4 } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
    }
    const logger = options.logger ?? new Logger(BullJobQueue.name);
    const producer = await connectRedis(url, {
      role: 'jobs-producer',
      logger,
      connectTimeoutMs: options.connectTimeoutMs,
    });
    const workerTemplate = producer.duplicate({
      lazyConnect: true,
      maxRetriesPerRequest: null,
      connectionName: 'hb-jobs-worker',
    });
    return new BullJobQueue(await import('bullmq'), producer, workerTemplate, prefix, concurrency, logger);
  }

  register<Data>(name: string, handler: JobHandler<Data>): void {
    if (this.handlers.has(name)) throw new Error(`job "${name}" already has a handler`);
    if (this.state !== 'idle') throw new Error(`cannot register job "${name}": register handlers before start()`);
    // The data type is the job's contract between enqueuer and handler; the queue only moves JSON.
    this.handlers.set(name, handler as JobHandler<unknown>);
  }

  async enqueue<Data>(name: string, data: Data, options?: EnqueueOptions): Promise<string> {
    // Allowed while closing: jobs still running may enqueue follow-ups, and Redis keeps them.
    if (this.state === 'closed') throw new Error(`cannot enqueue job "${name}": queue is closed`);
    const { jobId, attempts, backoffMs, delayMs } = resolveEnqueueOptions(name, options);
    const job = await this.queueOf(name).add(name, data, {
      jobId,
      attempts,
      backoff: { type: 'exponential', delay: backoffMs },
      delay: delayMs,
      removeOnComplete: true,
      // Kept failed jobs would block their jobId forever; the failure is logged instead.
      removeOnFail: true,
    });
    // BullMQ returns the pending job when `jobId` is taken, so this is the id either way.
    return String(job.id);
  }

  async start(): Promise<void> {
    if (this.state === 'started') return;
    if (this.state !== 'idle') throw new Error('cannot start a closed job queue');
    this.state = 'started';
    for (const [name, handler] of this.handlers) {
      const worker = new this.bullmq.Worker<unknown, void, string>(
        bullQueueName(name),
        (job: Job<unknown, void, string>) =>
          handler(job.data, { jobId: String(job.id), attempt: job.attemptsMade + 1 }),
        { connection: this.workerTemplate, prefix: this.prefix, concurrency: this.concurrency },
      );
      worker.on('failed', (job, error) => this.logFailure(name, job, error));
      worker.on('error', (error) => this.logger.error({ msg: 'job worker error', job: name, err: error }));
      this.workers.push(worker);
    }
    await Promise.all(this.workers.map((worker) => worker.waitUntilReady()));
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      // Workers first: they finish their running jobs, which may still enqueue follow-up jobs.
      await Promise.all(this.workers.map((worker) => worker.close()));
      this.state = 'closed';
      await Promise.all([...this.queues.values()].map((queue) => queue.close()));
      await quitRedis(this.producer);
      this.workerTemplate.disconnect();
    })();
    await this.closing;
  }

  async depths(): Promise<Record<string, number>> {
    const names = [...this.handlers.keys()];
    const counts = await Promise.all(
      names.map((name) => this.queueOf(name).getJobCounts('waiting', 'delayed', 'prioritized', 'waiting-children')),
    );
    return Object.fromEntries(names.map((name, i) => [name, Object.values(counts[i]).reduce((a, b) => a + b, 0)]));
  }

  private queueOf(name: string): Queue<unknown, void, string> {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = new this.bullmq.Queue<unknown, void, string>(bullQueueName(name), {
        connection: this.producer,
        prefix: this.prefix,
      });
      queue.on('error', (error) => this.logger.error({ msg: 'job queue error', job: name, err: error }));
      this.queues.set(name, queue);
    }
    return queue;
  }

  private logFailure(name: string, job: Job<unknown, void, string> | undefined, error: Error): void {
    const attempts = job?.opts.attempts ?? 1;
    const attempt = job?.attemptsMade ?? attempts;
    const fields = { job: name, jobId: job?.id, attempt, attempts, err: error };
    if (attempt >= attempts) this.logger.error({ msg: 'job failed, no attempts left', ...fields });
    else this.logger.warn({ msg: 'job failed, retrying', ...fields });
  }
}
