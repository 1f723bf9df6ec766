import { Logger } from '@nestjs/common';
import type { EventBus } from './event-bus';
import { freshRun } from './fresh-run';

export interface SnapshotOptions<T> {
  /** Names the snapshot on log lines. */
  name: string;
  bus: EventBus;
  /** The bus event that says "reload": every replica publishes it after a change. */
  event: string;
  /** Reads the whole value and its version from the database. */
  load(): Promise<{ value: T; version: string }>;
  /** Reads only the version: the cheap check that catches a missed event. */
  version(): Promise<string>;
  /** How often to compare versions. */
  checkEveryMs: number;
}

/**
 * A value every replica keeps in memory (the schema, the settings): reloaded when the bus
 * says it changed, and re-checked against a cheap database version on a timer, so a replica
 * that missed an event is stale for at most `checkEveryMs`.
 */
export class ReplicatedSnapshot<T> {
  private readonly logger: Logger;
  private current: T;
  private version = '';
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;
  // One load at a time, so an older read never lands after a newer one.
  private readonly freshLoad = freshRun(async () => {
    const { value, version } = await this.options.load();
    this.set(value, version);
  });

  constructor(
    private readonly options: SnapshotOptions<T>,
    initial: T,
  ) {
    this.logger = new Logger(options.name);
    this.current = initial;
  }

  get value(): T {
    return this.current;
  }

  get currentVersion(): string {
    return this.version;
  }

  async start(): Promise<void> {
    await this.reload();
    this.unsubscribe = await this.options.bus.subscribe(this.options.event, () => this.reload());
    this.timer = setInterval(() => void this.reloadIfStale(), this.options.checkEveryMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.unsubscribe?.();
  }

  /** Loads the value again; resolves once a load that started after this call has landed. */
  reload(): Promise<void> {
    return this.freshLoad();
  }

  /** Reloads unless this copy already is at `version` (read from the database by the caller). */
  async ensureVersion(version: string): Promise<void> {
    if (version !== this.version) await this.reload();
  }

  /** Takes a value this process just saved (no reload needed). */
  set(value: T, version: string): void {
    this.current = value;
    this.version = version;
  }

  /** Tells every replica (this one included) to reload. */
  publish<Payload>(payload: Payload): Promise<void> {
    return this.options.bus.publish(this.options.event, payload);
  }

  private async reloadIfStale(): Promise<void> {
    try {
      if ((await this.options.version()) !== this.version) await this.reload();
    } catch (error) {
      this.logger.warn({ err: error }, 'version check failed');
    }
  }
}
