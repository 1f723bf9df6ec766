import * as bcrypt from 'bcrypt';
import { type Measurement, measureCalls } from '../records/measure';

/** A stored bcrypt hash and the password it was made from. */
export interface PasswordSample {
  password: string;
  hash: string;
}

/** The cost a bcrypt hash was made with (`$2b$10$…` → 10). */
export function bcryptCostOf(hash: string): number {
  const match = /^\$2[abxy]?\$(\d{2})\$/.exec(hash);
  if (!match?.[1]) throw new Error(`not a bcrypt hash: ${hash.slice(0, 7)}…`);
  return Number(match[1]);
}

/**
 * How many comparisons native bcrypt runs at once in one process: one per libuv thread-pool
 * thread (`UV_THREADPOOL_SIZE`, 4 unless set; the servers the benchmark boots inherit it).
 */
export const THREAD_POOL_SIZE = Number(process.env.UV_THREADPOOL_SIZE) || 4;

async function compareOrThrow(sample: PasswordSample): Promise<void> {
  if (!(await bcrypt.compare(sample.password, sample.hash))) throw new Error('password does not match its hash');
}

/**
 * `bcrypt.compare` from `concurrency` callers in this process. One caller awaits each comparison
 * before the next, so one pool thread works at a time: what one core compares. As many callers
 * as the thread pool has threads keep every pool thread busy: the most one process compares,
 * whatever else it runs.
 */
export function measureBcrypt(options: {
  sample: PasswordSample;
  concurrency: number;
  seconds: number;
}): Promise<Measurement> {
  return measureCalls({ ...options, operation: () => compareOrThrow(options.sample) });
}
