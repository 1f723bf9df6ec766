import { Logger, type LoggerService } from '@nestjs/common';
import { type EnqueueOptions, type JobHandler, type JobQueue, resolveEnqueueOptions } from './job-queue';

export interface InProcessJobQueueOptions {
  /** Jobs running at once, across all names (default 4). */
  concurrency?: number;
  /** Where retries and failures go (default: Nest's `Logger`). */
  logger?: LoggerService;
}

interface QueuedJob {
  name: string;
  id: string;
  /** Data as JSON, decoded afresh for every attempt, as BullMQ does. */
  json: string;
  attempts: number;
  backoffMs: number;
  /** The attempt about to run, from 1. */
  attempt: number;
}

type State = 'idle' | 'started' | 'closing' | 'closed';

/**
 * The standalone-mode queue: runs jobs in this process with BullMQ's semantics (jobId
 * idempotency while pending, attempts with exponential backoff, delay, bounded concurrency), so
 * handlers behave the same in both modes. Jobs live in memory: those still waiting at `close()`
 * are logged as not run.
 */
export class InProcessJobQueue implements JobQueue {
  private readonly handlers = new Map<string, JobHandler<unknown>>();
  /** Ids of jobs not finished yet, per name: BullMQ's dedupe window with `removeOnComplete`. */
  private readonly unfinished = new Map<string, Set<string>>();
  private readonly ready: QueuedJob[] = [];
  private readonly timers = new Map<NodeJS.Timeout, QueuedJob>();
  private readonly running = new Set<Promise<void>>();
  private readonly concurrency: number;
  private readonly logger: LoggerService;
  private state: State = 'idle';
  private closing: Promise<void> | undefined;
  private lastId = 0;

  constructor(options: InProcessJobQueueOptions = {}) {
    const { concurrency = 4 } = options;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer (got ${concurrency})`);
    }
    this.concurrency = concurrency;
    this.logger = options.logger ?? new Logger(InProcessJobQueue.name);
  }

  register<Data>(name: string, handler: JobHandler<Data>): void {
    if (this.handlers.has(name)) throw new Error(`job "${name}" already has a handler`);
    if (this.state !== 'idle') throw new Error(`cannot register job "${name}": register handlers before start()`);
    // The data type is the job's contract between enqueuer and handler; the queue only moves JSON.
    this.handlers.set(name, handler as JobHandler<unknown>);
  }

  async depths(): Promise<Record<string, number>> {
    const depths: Record<string, number> = Object.fromEntries([...this.handlers.keys()].map((name) => [name, 0]));
    for (const job of [...this.ready, ...this.timers.values()]) depths[job.name] = (depths[job.name] ?? 0) + 1;
    return depths;
  }

  async enqueue<Data>(name: string, data: Data, options?: EnqueueOptions): Promise<string> {
    if (this.state === 'closing' || this.state === 'closed') {
      throw new Error(`cannot enqueue job "${name}": queue is closed`);
    }
    const resolved = resolveEnqueueOptions(name, options);
    // Every handler lives in this process, so a job nobody handles would wait forever.
    if (this.state === 'started' && !this.handlers.has(name)) {
      throw new Error(`no handler registered for job "${name}"`);
    }
    // Custom ids are never integers, so they cannot collide with generated ones (as in BullMQ).
    const id = resolved.jobId ?? String(++this.lastId);
    const unfinished = this.unfinished.get(name) ?? new Set<string>();
    if (unfinished.has(id)) return id;
    // BullMQ stores `undefined` data as `{}`; do the same so handlers see one shape in both modes.
    const json = JSON.stringify(data === undefined ? {} : data);
    if (json === undefined) throw new TypeError(`data of job "${name}" is not JSON-serialisable`);
    unfinished.add(id);
    this.unfinished.set(name, unfinished);
    const job: QueuedJob = { name, id, json, attempts: resolved.attempts, backoffMs: resolved.backoffMs, attempt: 1 };
    if (resolved.delayMs > 0) this.schedule(job, resolved.delayMs);
    else this.ready.push(job);
    this.drain();
    return id;
  }

  async start(): Promise<void> {
    if (this.state === 'started') return;
    if (this.state !== 'idle') throw new Error('cannot start a closed job queue');
    const missing = [...this.unfinished].filter(([name, ids]) => ids.size > 0 && !this.handlers.has(name));
    if (missing.length > 0) {
      throw new Error(`jobs were enqueued with no handler registered: ${missing.map(([name]) => name).join(', ')}`);
    }
    this.state = 'started';
    this.drain();
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      this.state = 'closing';
      const notRun = [...this.ready.splice(0), ...this.timers.values()];
      for (const timer of this.timers.keys()) clearTimeout(timer);
      this.timers.clear();
      if (notRun.length > 0) {
        this.logger.warn({
          msg: 'job queue closed with jobs not run',
          jobs: notRun.map(({ name, id, attempt }) => ({ name, id, attempt })),
        });
      }
      while (this.running.size > 0) await Promise.all(this.running);
      this.state = 'closed';
    })();
    await this.closing;
  }

  private schedule(job: QueuedJob, delayMs: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.ready.push(job);
      this.drain();
    }, delayMs);
    this.timers.set(timer, job);
  }

  private drain(): void {
    while (this.state === 'started' && this.running.size < this.concurrency) {
      const job = this.ready.shift();
      if (!job) return;
      const run = this.run(job).finally(() => {
        this.running.delete(run);
        this.drain();
      });
      this.running.add(run);
    }
  }

  /** One attempt; never rejects, since failures are retried or logged here. */
  private async run(job: QueuedJob): Promise<void> {
    const { name, id, attempt, attempts } = job;
    const handler = this.handlers.get(name);
    try {
      if (!handler) throw new Error(`no handler registered for job "${name}"`);
      await handler(JSON.parse(job.json), { jobId: id, attempt });
    } catch (error) {
      if (attempt >= attempts) {
        this.logger.error({ msg: 'job failed, no attempts left', job: name, jobId: id, attempt, attempts, err: error });
      } else if (this.state !== 'started') {
        this.logger.error({ msg: 'job failed while closing, not retried', job: name, jobId: id, attempt, err: error });
      } else {
        const delayMs = job.backoffMs * 2 ** (attempt - 1);
        this.logger.warn({ msg: 'job failed, retrying', job: name, jobId: id, attempt, attempts, delayMs, err: error });
        this.schedule({ ...job, attempt: attempt + 1 }, delayMs);
        return;
      }
    }
    this.unfinished.get(name)?.delete(id);
  }
}
