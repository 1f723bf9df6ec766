/** Handles one job; a thrown error makes the job retry with backoff until attempts run out. */
export type JobHandler<Data = unknown> = (data: Data, meta: { jobId: string; attempt: number }) => Promise<void>;

export interface EnqueueOptions {
  /** Idempotency key: a job with the id of a pending job is not added twice. */
  jobId?: string;
  /** Total tries including the first (default 3). */
  attempts?: number;
  /** First retry delay in ms, doubled on each retry (default 1000). */
  backoffMs?: number;
  /** Wait before the first try in ms. */
  delayMs?: number;
}

/**
 * Work that exactly one worker runs (mail, thumbnails, cleanup, …). Handlers are registered by
 * name before `start()`; registering a name twice fails at once. A process may enqueue jobs it
 * has no handler for (another service runs them); the in-process queue, where every handler
 * lives in one process, fails `start()` if a job was enqueued with no handler registered.
 */
export interface JobQueue {
  /** Throws when `name` already has a handler, or when called after `start()`. */
  register<Data>(name: string, handler: JobHandler<Data>): void;
  /** Adds a job (`data` JSON-serialisable) and returns its id: `options.jobId`, else a generated one. */
  enqueue<Data>(name: string, data: Data, options?: EnqueueOptions): Promise<string>;
  /** Starts running jobs of the registered names. */
  start(): Promise<void>;
  /** Stops taking jobs and waits for running ones; enqueueing then fails. */
  close(): Promise<void>;
  /** Jobs waiting (ready, delayed or being retried) per name this process handles: the metrics' queue depths. */
  depths?(): Promise<Record<string, number>>;
}

export const JOB_QUEUE = Symbol('JOB_QUEUE');

/** `EnqueueOptions` with the defaults filled in. */
export interface ResolvedEnqueueOptions {
  jobId: string | undefined;
  attempts: number;
  backoffMs: number;
  delayMs: number;
}

/**
 * Applies the documented defaults and rejects what BullMQ would reject (integer-like or `:` job
 * ids), so a call that works in standalone mode also works in distributed mode.
 */
export function resolveEnqueueOptions(name: string, options: EnqueueOptions = {}): ResolvedEnqueueOptions {
  const { jobId, attempts = 3, backoffMs = 1_000, delayMs = 0 } = options;
  if (jobId !== undefined) {
    if (jobId === '' || `${Number.parseInt(jobId, 10)}` === jobId || jobId.includes(':')) {
      throw new RangeError(`job "${name}": jobId must be a non-empty, non-integer string without ":" (got "${jobId}")`);
    }
  }
  if (!Number.isInteger(attempts) || attempts < 1) {
    throw new RangeError(`job "${name}": attempts must be an integer of at least 1 (got ${attempts})`);
  }
  for (const [key, value] of Object.entries({ backoffMs, delayMs })) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`job "${name}": ${key} must be a non-negative integer (got ${value})`);
    }
  }
  return { jobId, attempts, backoffMs, delayMs };
}
