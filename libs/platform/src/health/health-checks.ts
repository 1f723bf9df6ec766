import { Injectable } from '@nestjs/common';

/** Resolves when the dependency is usable; rejects with a reason otherwise. */
export type HealthCheck = () => Promise<void>;

/** Reports a figure operators want from one service (e.g. the realtime service's connected clients). */
export type HealthDetail = () => unknown;

/** The checks behind `/api/health`; modules add theirs when they start. */
@Injectable()
export class HealthChecks {
  private readonly checks = new Map<string, HealthCheck>();
  private readonly details = new Map<string, HealthDetail>();

  add(name: string, check: HealthCheck): void {
    this.checks.set(name, check);
  }

  /**
   * Adds `data[name]` to this process's own `/api/health` in the distributed shape only: the
   * public answer (standalone, or the gateway's, which takes its data from the collections
   * service) stays exactly PocketBase's.
   */
  addDetail(name: string, detail: HealthDetail): void {
    this.details.set(name, detail);
  }

  /** The operator details, by name. */
  detailData(): Record<string, unknown> {
    return Object.fromEntries([...this.details].map(([name, detail]) => [name, detail()]));
  }

  /** Names of failing checks with their reasons; empty when all pass. */
  async failing(timeoutMs: number): Promise<Record<string, string>> {
    const results = await Promise.all(
      [...this.checks].map(async ([name, check]) => {
        try {
          await withTimeout(check(), timeoutMs);
          return null;
        } catch (error) {
          return [name, error instanceof Error ? error.message : String(error)] as const;
        }
      }),
    );
    return Object.fromEntries(results.filter((entry) => entry !== null));
  }
}

function withTimeout(promise: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
