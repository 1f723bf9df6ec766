import { Injectable } from '@nestjs/common';

/** How long a verification or reset mail blocks the next one to the same record (PocketBase's 2 minutes). */
export const RESEND_WINDOW_MS = 2 * 60 * 1000;

/**
 * Remembers which records were mailed within the window, in this process's memory, as
 * PocketBase keeps its "already requested" keys in its in-memory app store. No table or column
 * is needed; with N replicas a record can get up to N mails per window, which still bounds it.
 */
@Injectable()
export class ResendThrottle {
  /** Key → expiry; every entry gets the same window, so insertion order is expiry order. */
  private readonly until = new Map<string, number>();

  /** True, and `key` is blocked for the window, unless it is blocked already. */
  take(key: string, now = Date.now()): boolean {
    this.prune(now);
    if (this.until.has(key)) return false;
    this.until.set(key, now + RESEND_WINDOW_MS);
    return true;
  }

  /** Whether `key` is blocked (without taking it). */
  blocked(key: string, now = Date.now()): boolean {
    this.prune(now);
    return this.until.has(key);
  }

  /** Unblocks `key` (the flow was confirmed, or the mail could not be queued). */
  forget(key: string): void {
    this.until.delete(key);
  }

  private prune(now: number): void {
    for (const [key, until] of this.until) {
      if (until > now) return;
      this.until.delete(key);
    }
  }
}
