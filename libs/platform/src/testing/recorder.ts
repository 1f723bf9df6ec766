import type { LoggerService } from '@nestjs/common';

/** Items pushed by handlers, with a way to wait until enough arrived. */
export class Recorder<T> {
  readonly items: T[] = [];
  private readonly waiters = new Set<() => void>();

  push = (item: T): void => {
    this.items.push(item);
    for (const waiter of this.waiters) waiter();
  };

  /** Resolves with the matching items once there are at least `count`. */
  waitFor(count: number, matches: (item: T) => boolean = () => true): Promise<T[]> {
    return new Promise((resolve) => {
      const check = () => {
        const found = this.items.filter(matches);
        if (found.length < count) return;
        this.waiters.delete(check);
        resolve(found);
      };
      this.waiters.add(check);
      check();
    });
  }
}

export interface LogEntry {
  level: 'log' | 'error' | 'warn';
  fields: Record<string, unknown>;
}

/** A real logger that keeps what it is told, so tests can see what buses and queues report. */
export class RecordingLogger extends Recorder<LogEntry> implements LoggerService {
  log(message: unknown): void {
    this.record('log', message);
  }
  error(message: unknown): void {
    this.record('error', message);
  }
  warn(message: unknown): void {
    this.record('warn', message);
  }
  private record(level: LogEntry['level'], message: unknown): void {
    this.push({ level, fields: typeof message === 'object' && message !== null ? { ...message } : { msg: message } });
  }
}

export function deferred<T = void>() {
  let resolve: (value: T) => void = () => {};
  const promise = new Promise<T>((done) => {
    resolve = done;
  });
  return { promise, resolve };
}

export const pause = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
