import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import bcrypt from 'bcryptjs';
import { type Measurement, measureCalls, measurementOf } from '../records/measure';

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

async function compareOrThrow(sample: PasswordSample): Promise<void> {
  if (!(await bcrypt.compare(sample.password, sample.hash))) throw new Error('password does not match its hash');
}

/**
 * `bcryptjs.compare` from `concurrency` callers on this thread, as the app runs it: bcryptjs is
 * pure JavaScript on the event loop, so one process compares at most this fast.
 */
export function measureBcryptOnOneThread(options: {
  sample: PasswordSample;
  concurrency: number;
  seconds: number;
}): Promise<Measurement> {
  return measureCalls({ ...options, operation: () => compareOrThrow(options.sample) });
}

// Plain CommonJS for an eval'd worker: compares in a loop until the deadline, then posts its latencies.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
const bcrypt = require(workerData.bcryptPath);
(async () => {
  const latencies = [];
  const started = performance.now();
  const deadline = started + workerData.seconds * 1000;
  while (performance.now() < deadline) {
    const begun = performance.now();
    if (!(await bcrypt.compare(workerData.password, workerData.hash))) throw new Error('password does not match its hash');
    latencies.push(performance.now() - begun);
  }
  parentPort.postMessage({ latencies, seconds: (performance.now() - started) / 1000 });
})();
`;

/**
 * `bcryptjs.compare` in a loop on `threads` worker threads at once: what the whole machine could
 * compare if every core did nothing else (a ceiling no single process reaches).
 */
export async function measureBcryptOnThreads(options: {
  sample: PasswordSample;
  threads: number;
  seconds: number;
}): Promise<Measurement> {
  const bcryptPath = createRequire(__filename).resolve('bcryptjs');
  const results = await Promise.all(
    Array.from(
      { length: options.threads },
      () =>
        new Promise<{ latencies: number[]; seconds: number }>((done, fail) => {
          const worker = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { bcryptPath, seconds: options.seconds, ...options.sample },
          });
          worker.once('message', (result) => {
            done(result);
            void worker.terminate();
          });
          worker.once('error', fail);
        }),
    ),
  );
  return measurementOf(
    results.flatMap((result) => result.latencies),
    Math.max(...results.map((result) => result.seconds)),
  );
}
