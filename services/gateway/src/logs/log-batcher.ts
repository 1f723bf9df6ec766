import { Logger } from '@nestjs/common';

export interface LogBatcherOptions<Entry> {
  /** Hands a batch on (to the job queue); a rejection drops the batch and is logged. */
  flush(entries: Entry[]): Promise<void>;
  /** Entries that make a batch go at once (default 200). */
  maxBatch?: number;
  /** How long the first entry of a batch waits for company (default 200 ms). */
  maxWaitMs?: number;
  /** Entries held at most; more are dropped (and counted) while flushes lag (default 10 000). */
  maxPending?: number;
}

/**
 * Gathers log entries off the request path: a request only pushes to an array, and batches go
 * out every `maxWaitMs` or `maxBatch` entries, one job per batch rather than a write per request.
 */
export class LogBatcher<Entry> {
  private readonly logger = new Logger(LogBatcher.name);
  private pending: Entry[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly maxBatch: number;
  private readonly maxWaitMs: number;
  private readonly maxPending: number;
  /** Entries dropped because flushing could not keep up (or failed). */
  dropped = 0;

  constructor(private readonly options: LogBatcherOptions<Entry>) {
    this.maxBatch = options.maxBatch ?? 200;
    this.maxWaitMs = options.maxWaitMs ?? 200;
    this.maxPending = options.maxPending ?? 10_000;
  }

  push(entry: Entry): void {
    if (this.pending.length >= this.maxPending) {
      this.dropped++;
      return;
    }
    this.pending.push(entry);
    if (this.pending.length >= this.maxBatch) this.flushNow();
    else if (!this.timer) {
      this.timer = setTimeout(() => this.flushNow(), this.maxWaitMs);
      this.timer.unref();
    }
  }

  /** Sends what is pending and waits for every batch in flight (shutdown, tests). */
  async drain(): Promise<void> {
    this.flushNow();
    await Promise.all([...this.inFlight]);
  }

  private flushNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const sent = this.options
      .flush(batch)
      .catch((error: unknown) => {
        this.dropped += batch.length;
        this.logger.warn({ err: error, entries: batch.length }, 'request logs dropped');
      })
      .finally(() => this.inFlight.delete(sent));
    this.inFlight.add(sent);
  }
}
