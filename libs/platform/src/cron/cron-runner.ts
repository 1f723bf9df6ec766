import { Logger } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import { processMetrics } from '../metrics/metrics';
import { type CronSchedule, isCronDue, parseCronExpression } from './cron-expression';
import type { CronLock } from './cron-lock';
import type { CronHandler, CronJobInfo, CronScheduler } from './cron-scheduler';

export interface CronRunnerOptions {
  /** Which replica runs a due job (in-process for standalone, Redis when distributed). */
  lock: CronLock;
  /**
   * Whether `start()` arms the minute timer (default true). Tests pass false and call `tick()`
   * with the minutes they want, so a schedule is observed without waiting for the clock.
   */
  timer?: boolean;
}

interface CronJob {
  id: string;
  schedule: CronSchedule;
  handler: CronHandler;
}

type Trigger = 'schedule' | 'manual';

const MINUTE_MS = 60_000;

/** PocketBase lists its own jobs (`__pb…__`) after the others. */
const isSystemJob = (id: string) => id.startsWith('__pb');

/**
 * The `CronScheduler`: a timer at each minute boundary (UTC) runs the jobs due that minute whose
 * (id, minute) this replica claims first through its `CronLock`. A job's error is logged and
 * counted, never thrown; a job still running when it is next due runs again alongside, as in
 * PocketBase.
 */
export class CronRunner implements CronScheduler {
  private readonly logger = new Logger('Cron');
  private readonly jobs = new Map<string, CronJob>();
  private readonly running = new Set<Promise<void>>();
  private readonly metrics = cronMetrics();
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private closed = false;

  constructor(private readonly options: CronRunnerOptions) {}

  add(id: string, expression: string, handler: CronHandler): void {
    if (typeof id !== 'string' || id === '') throw new RangeError('a cron job id must be a non-empty string');
    if (this.jobs.has(id)) throw new RangeError(`cron job "${id}" is already registered`);
    if (typeof handler !== 'function') throw new TypeError(`cron job "${id}": the handler must be a function`);
    this.jobs.set(id, { id, schedule: parseCronExpression(expression), handler });
  }

  remove(id: string): boolean {
    return this.jobs.delete(id);
  }

  has(id: string): boolean {
    return this.jobs.has(id);
  }

  list(): CronJobInfo[] {
    // Ids sorted, except PocketBase's system jobs: last, in the order they were added (what its
    // stable sort with a comparator that never reorders two system jobs amounts to).
    const all = [...this.jobs.values()].map(({ id, schedule }) => ({ id, expression: schedule.expression }));
    const own = all.filter(({ id }) => !isSystemJob(id)).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return [...own, ...all.filter(({ id }) => isSystemJob(id))];
  }

  run(id: string): Promise<void> {
    const job = this.jobs.get(id);
    if (!job) return Promise.reject(new RangeError(`no cron job "${id}"`));
    return this.execute(job, 'manual');
  }

  /**
   * Runs the jobs due in the minute of `at` that this replica claims; resolves when they have
   * finished. The timer calls it each minute; tests call it directly.
   */
  async tick(at: Date): Promise<void> {
    if (this.closed) return;
    const minute = Math.floor(at.getTime() / MINUTE_MS);
    const due = [...this.jobs.values()].filter((job) => isCronDue(job.schedule, at));
    await Promise.all(
      due.map(async (job) => {
        let claimed: boolean;
        try {
          claimed = await this.options.lock.claim(job.id, minute);
        } catch (error) {
          // Without the lock no replica can know it is the only one: skip rather than risk twice.
          this.logger.warn({ err: error, job: job.id }, 'cron claim failed, the job skips this minute');
          this.metrics.runs.inc({ job: job.id, trigger: 'schedule', result: 'skipped' });
          return;
        }
        if (claimed) await this.execute(job, 'schedule');
      }),
    );
  }

  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.options.timer !== false) this.armTimer(Date.now());
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.timer);
    await Promise.allSettled([...this.running]);
    await this.options.lock.close();
  }

  private armTimer(after: number): void {
    // The next whole minute; a late timer (a blocked event loop) skips the minutes it missed.
    const next = (Math.floor(after / MINUTE_MS) + 1) * MINUTE_MS;
    this.timer = setTimeout(
      () => {
        if (this.closed) return;
        void this.tick(new Date(next));
        this.armTimer(Math.max(Date.now(), next));
      },
      Math.max(0, next - Date.now()),
    );
    this.timer.unref();
  }

  private execute(job: CronJob, trigger: Trigger): Promise<void> {
    const stopTimer = this.metrics.duration.startTimer({ job: job.id });
    const done = (async () => {
      try {
        await job.handler();
        this.metrics.runs.inc({ job: job.id, trigger, result: 'ok' });
      } catch (error) {
        this.logger.error({ err: error, job: job.id, trigger }, 'cron job failed');
        this.metrics.runs.inc({ job: job.id, trigger, result: 'error' });
      } finally {
        stopTimer();
      }
    })();
    this.running.add(done);
    void done.finally(() => this.running.delete(done));
    return done;
  }
}

interface CronMetrics {
  runs: Counter<'job' | 'trigger' | 'result'>;
  duration: Histogram<'job'>;
}

/** The process's cron metrics, made once (every runner of the process adds to the same ones). */
function cronMetrics(): CronMetrics {
  const { registry } = processMetrics();
  const runs = registry.getSingleMetric('hb_cron_runs_total');
  const duration = registry.getSingleMetric('hb_cron_run_duration_seconds');
  if (runs instanceof Counter && duration instanceof Histogram) {
    return { runs, duration } as CronMetrics;
  }
  return {
    runs: new Counter({
      name: 'hb_cron_runs_total',
      help: 'Cron job runs in this process, by job, trigger (schedule or manual) and result (ok, error, skipped).',
      labelNames: ['job', 'trigger', 'result'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'hb_cron_run_duration_seconds',
      help: 'How long cron job runs took in this process, by job.',
      labelNames: ['job'],
      buckets: [0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300],
      registers: [registry],
    }),
  };
}
