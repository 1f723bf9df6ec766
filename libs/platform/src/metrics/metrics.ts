import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The process's Prometheus metrics (prom-client). One registry per process, made on first use:
 * every module of the process (every service's, in standalone) adds to the same `/metrics`.
 */
export class ProcessMetrics {
  readonly registry = new Registry();
  readonly httpRequests: Counter<'method' | 'route' | 'status'>;
  readonly httpDuration: Histogram<'method' | 'route' | 'status'>;

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'hb_' });
    this.httpRequests = new Counter({
      name: 'hb_http_requests_total',
      help: 'HTTP requests answered, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      registers: [this.registry],
    });
    this.httpDuration = new Histogram({
      name: 'hb_http_request_duration_seconds',
      help: 'Time from a request’s arrival to the end of its response, by method, route template and status.',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /**
   * A gauge read when Prometheus scrapes (`collect` sets its values). Registering a name again
   * replaces the earlier one (an app made twice in one process, as tests do).
   */
  gauge<Label extends string = never>(options: {
    name: string;
    help: string;
    labelNames?: readonly Label[];
    collect: (gauge: Gauge<Label>) => void | Promise<void>;
  }): Gauge<Label> {
    this.registry.removeSingleMetric(options.name);
    const { collect } = options;
    return new Gauge<Label>({
      name: options.name,
      help: options.help,
      labelNames: options.labelNames ?? [],
      registers: [this.registry],
      async collect() {
        try {
          await collect(this);
        } catch {
          // A source that cannot answer now (the database is away) leaves its last value.
        }
      },
    });
  }
}

let current: ProcessMetrics | undefined;

/** This process's metrics. */
export function processMetrics(): ProcessMetrics {
  current ??= new ProcessMetrics();
  return current;
}
