import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import type pg from 'pg';

/** One request of an autocannon cycle (the subset of its options this benchmark uses). */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  body?: string;
  /** Merged over the run's headers (e.g. a per-request `authorization`). */
  headers?: Record<string, string>;
  /** Called before each send: a fresh path, body or headers per request. */
  setupRequest?: (request: HttpRequest) => HttpRequest;
  /** Called with each response to this request, e.g. to keep what it returned. */
  onResponse?: (status: number, body: string) => void;
}

/** What one scenario measured, through HTTP or directly against Postgres. */
export interface Measurement {
  requests: number;
  seconds: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Responses other than 2xx by status, and connection errors/timeouts (HTTP only). */
  failures: Record<string, number>;
  /** The first distinct failing response bodies (or errors), to report what went wrong. */
  samples: string[];
  /** Warnings and errors the server processes logged during the run (HTTP only), by kind. */
  serverLog: Record<string, number>;
  /** CPU time used during the run, in seconds by process, when the run records it. */
  cpuSeconds?: Record<string, number>;
}

const MAX_SAMPLES = 5;

function keepSample(samples: string[], sample: string): void {
  const short = sample.slice(0, 300);
  if (samples.length < MAX_SAMPLES && !samples.includes(short)) samples.push(short);
}

/**
 * Runs `requests` (cycled per connection) against `baseUrl` for `seconds` with autocannon,
 * with `token` as every request's `authorization` unless a request sets its own.
 */
export async function measureHttp(options: {
  baseUrl: string;
  token?: string;
  connections: number;
  seconds: number;
  requests: HttpRequest[];
}): Promise<Measurement> {
  const samples: string[] = [];
  const result = await autocannon({
    url: options.baseUrl,
    connections: options.connections,
    duration: options.seconds,
    timeout: 30,
    headers: { ...(options.token ? { authorization: options.token } : {}), 'content-type': 'application/json' },
    requests: options.requests.map((request) => ({
      ...request,
      onResponse: (status: number, body: string) => {
        if (status >= 300) keepSample(samples, `${request.method} ${status} ${body}`);
        request.onResponse?.(status, body);
      },
    })),
  });
  const failures: Record<string, number> = {};
  let requests = 0;
  for (const [status, { count }] of Object.entries(result.statusCodeStats)) {
    requests += Number(count);
    if (!status.startsWith('2')) failures[status] = Number(count);
  }
  if (result.errors) failures.errors = result.errors;
  if (result.timeouts) failures.timeouts = result.timeouts;
  return {
    requests,
    seconds: result.duration,
    perSecond: requests / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    failures,
    samples,
    serverLog: {},
  };
}

/**
 * Runs `operation` from `concurrency` callers in a loop for `seconds`, each call timed, the way
 * autocannon keeps `connections` requests in flight. A call that throws counts as a failure
 * under its error's `code`.
 */
export async function measureCalls(options: {
  concurrency: number;
  seconds: number;
  operation: (call: number) => Promise<void>;
}): Promise<Measurement> {
  const latencies: number[] = [];
  const samples: string[] = [];
  const failures: Record<string, number> = {};
  const started = performance.now();
  const deadline = started + options.seconds * 1000;
  let call = 0;
  const caller = async () => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      try {
        await options.operation(call++);
        latencies.push(performance.now() - begun);
      } catch (error) {
        const code = (error as { code?: string }).code ?? 'error';
        failures[code] = (failures[code] ?? 0) + 1;
        keepSample(samples, String(error));
      }
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, caller));
  return measurementOf(latencies, (performance.now() - started) / 1000, failures, samples);
}

/** {@link measureCalls} with each call given `pool`: SQL run directly against Postgres. */
export function measureDirect(options: {
  pool: pg.Pool;
  concurrency: number;
  seconds: number;
  operation: (pool: pg.Pool, call: number) => Promise<void>;
}): Promise<Measurement> {
  return measureCalls({ ...options, operation: (call) => options.operation(options.pool, call) });
}

/** A measurement from the latencies (ms) of the calls that succeeded over `seconds`. */
export function measurementOf(
  latencies: number[],
  seconds: number,
  failures: Record<string, number> = {},
  samples: string[] = [],
): Measurement {
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (quantile: number) => sorted[Math.min(sorted.length - 1, Math.floor(quantile * sorted.length))] ?? 0;
  return {
    requests: sorted.length,
    seconds,
    perSecond: sorted.length / seconds,
    p50: at(0.5),
    p99: at(0.99),
    failures,
    samples,
    serverLog: {},
  };
}
