// autocannon ships no types: the part of its API this benchmark calls.
declare module 'autocannon' {
  interface Request {
    method: string;
    path: string;
    body?: string;
    /** Merged over `Options.headers`. */
    headers?: Record<string, string>;
    /** Called before each send; may return a changed copy. */
    setupRequest?(request: Request): Request;
    onResponse?(status: number, body: string): void;
  }

  interface Options {
    url: string;
    connections: number;
    /** Seconds. */
    duration: number;
    /** Seconds before a request counts as a timeout. */
    timeout: number;
    headers: Record<string, string>;
    requests: Request[];
  }

  interface Result {
    /** Seconds. */
    duration: number;
    errors: number;
    timeouts: number;
    /** Milliseconds. */
    latency: { p50: number; p99: number };
    statusCodeStats: Record<string, { count: number }>;
  }

  export default function autocannon(options: Options): Promise<Result>;
}
