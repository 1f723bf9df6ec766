import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Logger } from '@nestjs/common';
import { Pool } from 'undici';

/** Looks a host name up to every address it has (compose DNS, a Kubernetes headless Service). */
export type Resolver = (hostname: string) => Promise<string[]>;

const dnsResolver: Resolver = async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address);

export interface UpstreamPoolOptions {
  name: string;
  /** Base URLs as configured: each may name several addresses. */
  urls: string[];
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  resolveEveryMs: number;
  healthEveryMs: number;
  healthTimeoutMs: number;
  /** How long an address that failed to connect gets no requests (unless nothing else is left). */
  ejectMs?: number;
  resolve?: Resolver;
}

/** One replica: a keep-alive pool to one address, and what the balancer knows about it. */
export class UpstreamTarget {
  /** Requests (and open streams) currently running on it. */
  pending = 0;
  /** Responses it has started: only for tests and logs. */
  served = 0;
  healthy = true;
  ejectedUntil = 0;
  retired = false;

  constructor(
    /** `http://10.0.0.7:8091`: where the sockets go. */
    readonly origin: string,
    /** `collections:8091`: the Host the service is addressed by. */
    readonly host: string,
    readonly dispatcher: Pool,
  ) {}

  usable(now: number): boolean {
    return !this.retired && this.healthy && this.ejectedUntil <= now;
  }
}

/** `a,b` → the URLs; a bad one throws (config validation has already refused it). */
export function parseUpstreamUrls(value: string): URL[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '')
    .map((item) => new URL(item));
}

function originOf(url: URL, address: string): string {
  const host = isIP(address) === 6 ? `[${address}]` : address;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return `${url.protocol}//${host}:${port}`;
}

/**
 * Every replica of one upstream service. Names are looked up again every `resolveEveryMs`, so
 * replicas that join get work and replicas that leave stop getting it; each address is asked for
 * its health every `healthEveryMs`; `pick` takes the usable replica with the fewest pending
 * requests, rotating among equals so an idle deployment still spreads its requests.
 */
export class UpstreamPool {
  private readonly logger: Logger;
  private readonly byOrigin = new Map<string, UpstreamTarget>();
  private readonly urls: URL[];
  private readonly resolve: Resolver;
  private readonly timers: NodeJS.Timeout[] = [];
  private rotation = 0;

  constructor(private readonly options: UpstreamPoolOptions) {
    this.logger = new Logger(`upstream:${options.name}`);
    this.urls = options.urls.flatMap((value) => parseUpstreamUrls(value));
    this.resolve = options.resolve ?? dnsResolver;
  }

  get name(): string {
    return this.options.name;
  }

  /** Every known replica (retired ones are gone from the list). */
  targets(): UpstreamTarget[] {
    return [...this.byOrigin.values()];
  }

  /** Resolves the names once, then keeps resolving and health-checking in the background. */
  async start(): Promise<void> {
    await this.refresh();
    const resolving = setInterval(() => void this.refresh(), this.options.resolveEveryMs);
    const checking = setInterval(() => void this.checkHealth(), this.options.healthEveryMs);
    resolving.unref();
    checking.unref();
    this.timers.push(resolving, checking);
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearInterval(timer);
    const targets = this.targets();
    this.byOrigin.clear();
    await Promise.all(targets.map((target) => target.dispatcher.destroy().catch(() => undefined)));
  }

  /**
   * The replica to send the next request to: the usable one with the fewest pending requests,
   * `exclude`d ones (already tried for this request) left out. When no replica is usable the
   * least loaded of the rest is tried anyway: an address marked down may be back already.
   */
  pick(exclude: ReadonlySet<UpstreamTarget> = new Set()): UpstreamTarget | undefined {
    const now = Date.now();
    const candidates = this.targets().filter((target) => !exclude.has(target));
    const usable = candidates.filter((target) => target.usable(now));
    const from = usable.length > 0 ? usable : candidates;
    if (from.length === 0) return undefined;
    const start = this.rotation++ % from.length;
    let best: UpstreamTarget | undefined;
    for (let i = 0; i < from.length; i++) {
      const target = from[(start + i) % from.length];
      if (!best || target.pending < best.pending) best = target;
    }
    return best;
  }

  /** A replica that refused a connection or said it is closing: no new requests for a while. */
  eject(target: UpstreamTarget, reason: string): void {
    if (target.ejectedUntil <= Date.now()) this.logger.warn(`${target.origin} taken out of rotation: ${reason}`);
    target.ejectedUntil = Date.now() + (this.options.ejectMs ?? Math.max(this.options.healthEveryMs * 2, 1_000));
  }

  /** Asks every replica for `/api/health` now; updates and returns who answered 200. */
  async checkHealth(): Promise<void> {
    await Promise.all(
      this.targets().map(async (target) => {
        const healthy = await this.isHealthy(target);
        if (healthy && (!target.healthy || target.ejectedUntil > Date.now())) {
          this.logger.log(`${target.origin} back in rotation`);
          target.ejectedUntil = 0;
        } else if (!healthy && target.healthy) {
          this.logger.warn(`${target.origin} failed its health check`);
        }
        target.healthy = healthy;
      }),
    );
  }

  private async isHealthy(target: UpstreamTarget): Promise<boolean> {
    try {
      const response = await target.dispatcher.request({
        path: '/api/health',
        method: 'GET',
        headers: { host: target.host },
        signal: AbortSignal.timeout(this.options.healthTimeoutMs),
      });
      await response.body.dump();
      return response.statusCode === 200;
    } catch {
      return false;
    }
  }

  /** Looks every name up again: new addresses join, vanished ones finish their requests and leave. */
  async refresh(): Promise<void> {
    const seen = new Set<string>();
    for (const url of this.urls) {
      const hostname = url.hostname.replace(/^\[|\]$/g, '');
      let addresses: string[];
      if (isIP(hostname)) {
        addresses = [hostname];
      } else {
        try {
          addresses = await this.resolve(hostname);
        } catch (error) {
          // Keep what we had: a DNS hiccup must not empty the pool.
          this.logger.warn({ err: error }, `cannot resolve ${hostname}; keeping its known addresses`);
          for (const target of this.targets()) if (target.host === url.host) seen.add(target.origin);
          continue;
        }
      }
      for (const address of addresses) {
        const origin = originOf(url, address);
        seen.add(origin);
        if (!this.byOrigin.has(origin)) this.add(url, origin);
      }
    }
    for (const target of this.targets()) {
      if (seen.has(target.origin)) continue;
      this.logger.log(`${target.origin} left`);
      target.retired = true;
      this.byOrigin.delete(target.origin);
      // close() lets running requests and streams finish before the sockets go.
      void target.dispatcher.close().catch(() => undefined);
    }
  }

  private add(url: URL, origin: string): void {
    const hostname = url.hostname.replace(/^\[|\]$/g, '');
    const dispatcher = new Pool(origin, {
      connect: {
        timeout: this.options.connectTimeoutMs,
        // TLS to an address still checks the certificate of the name.
        ...(url.protocol === 'https:' && !isIP(hostname) ? { servername: hostname } : {}),
      },
      headersTimeout: this.options.headersTimeoutMs,
      // Long-lived streams (realtime) legitimately go quiet; the client's disconnect ends them.
      bodyTimeout: 0,
    });
    this.byOrigin.set(origin, new UpstreamTarget(origin, url.host, dispatcher));
    this.logger.log(`${origin} joined`);
  }
}
