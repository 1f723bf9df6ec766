/** The work of one cron job. A thrown error is logged by the scheduler, never fatal. */
export type CronHandler = () => Promise<void> | void;

/** A registered job as `GET /api/crons` lists it (PocketBase's `{id, expression}`). */
export interface CronJobInfo {
  id: string;
  /** The schedule with any macro expanded (`@daily` lists as `0 0 * * *`, as in PocketBase). */
  expression: string;
}

/**
 * PocketBase's cron: jobs with a 5-field expression (or a macro such as `@hourly`), checked each
 * minute in UTC. In the distributed shape every replica of a service registers the same jobs and
 * each due job runs once per minute across all of them; standalone runs them in-process.
 *
 * Jobs may be added and removed at any time, before or after `start()`.
 */
export interface CronScheduler {
  /**
   * Registers a job. Throws a `CronExpressionError` on an invalid expression and a `RangeError`
   * when `id` is empty or already registered (`remove` it first to reschedule).
   */
  add(id: string, expression: string, handler: CronHandler): void;
  /** Unregisters a job; false when there was none with that id. */
  remove(id: string): boolean;
  has(id: string): boolean;
  /** The registered jobs: ids sorted, PocketBase's own `__pb…__` system jobs last (as its API lists them). */
  list(): CronJobInfo[];
  /**
   * Runs a job now in this process, outside its schedule (`POST /api/crons/{id}`). Resolves when
   * the handler has finished; its error is logged, not rethrown. Rejects with a `RangeError` when
   * no job has that id.
   */
  run(id: string): Promise<void>;
  /** Starts ticking at the next minute boundary. */
  start(): Promise<void>;
  /** Stops ticking and waits for running handlers. */
  close(): Promise<void>;
}

/** Injection token of the process's CronScheduler. */
export const CRON_SCHEDULER = Symbol('CRON_SCHEDULER');
