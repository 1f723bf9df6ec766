import { deleteOldLogs, type EventBus, type JobQueue, realIp, remoteIp } from '@hivebase/platform';
import { Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Pool } from 'pg';
import { LogBatcher } from '../logs/log-batcher';
import { insertLogs, logBatchJson, logEntryJson } from '../logs/log-store';
import {
  type FinishedRequest,
  type LogEntry,
  type ResponseError,
  requestLogEntry,
  responseErrorOf,
  skipsSuccessLog,
} from '../logs/request-log';
import type { RateLimitCounter } from '../rate-limit/rate-limit-counter';
import { RateLimiter } from '../rate-limit/rate-limiter';
import { type EdgeSettings, EdgeSettingsSnapshot } from './edge-settings';
import { RequestIdentities, type RequestIdentity } from './request-identity';

/** The job that writes a batch of request logs (one worker runs each batch). */
export const LOGS_WRITE_JOB = 'logs.write';

/**
 * A batch as the JSON `insertLogs` writes (serialised once, not again by the queue and the
 * writer); `entries` is what processes before it enqueued, still written if one is pending.
 */
export type LogsWriteJob = { json: string } | { entries: LogEntry[] };

export const TOO_MANY_REQUESTS = { data: {}, message: 'Too Many Requests.', status: 429 } as const;

const FAILURE = Symbol('hivebase.edgeFailure');
type Failed = FastifyRequest & { [FAILURE]?: ResponseError };

export interface EdgeRuntimeDeps {
  pool: Pool;
  bus: EventBus;
  jobs: JobQueue;
  counter: RateLimitCounter;
}

/**
 * What runs at the edge of every API request, in the gateway and in the standalone process
 * alike: PocketBase's rate limiter before the request goes on, and its request log after the
 * response (batched onto the job queue, written by a worker, never on the request's path).
 */
export class EdgeRuntime {
  private readonly logger = new Logger(EdgeRuntime.name);
  readonly settings: EdgeSettingsSnapshot;
  readonly identities: RequestIdentities;
  readonly limiter: RateLimiter;
  /** Entries as `logEntryJson` texts. */
  readonly batcher: LogBatcher<string>;

  constructor(private readonly deps: EdgeRuntimeDeps) {
    this.settings = new EdgeSettingsSnapshot(deps.pool, deps.bus);
    this.identities = new RequestIdentities(deps.pool, deps.bus);
    this.limiter = new RateLimiter(deps.counter, (idOrName) => this.identities.collectionName(idOrName));
    this.batcher = new LogBatcher<string>({
      flush: async (entries) =>
        void (await deps.jobs.enqueue<LogsWriteJob>(LOGS_WRITE_JOB, { json: logBatchJson(entries) })),
    });
    deps.jobs.register<LogsWriteJob>(LOGS_WRITE_JOB, async (job) =>
      insertLogs(deps.pool, 'json' in job ? job.json : job.entries),
    );
  }

  async start(): Promise<void> {
    await this.settings.start();
    await this.identities.start();
    // The periodic retention is the collections service's `__pbLogsCleanup__` cron (docs/crons.md).
  }

  async stop(): Promise<void> {
    await this.batcher.drain();
    await this.settings.stop();
    await this.identities.stop();
    await this.deps.counter.close();
  }

  /** After a settings change: deletes the logs the new `maxDays` and `minLevel` would not keep. */
  async deleteLogsUnderNewSettings(): Promise<void> {
    const { maxDays, minLevel } = this.settings.value.logs;
    try {
      await deleteOldLogs(this.deps.pool, maxDays, new Date(), minLevel);
    } catch (error) {
      this.logger.warn({ err: error }, 'deleting old logs failed');
    }
  }

  /**
   * onRequest: applies the rate limits; true when it answered 429 itself. Synchronous (false)
   * while rate limiting is off, so the common request pays no promise for it.
   */
  onRequest(request: FastifyRequest, reply: FastifyReply): false | Promise<boolean> {
    const { rateLimits } = this.settings.value;
    return rateLimits.enabled ? this.limit(request, reply) : false;
  }

  private async limit(request: FastifyRequest, reply: FastifyReply): Promise<boolean> {
    const { rateLimits, trustedProxy } = this.settings.value;
    const path = request.url.split('?', 1)[0];
    const identity = await this.identityOf(request);
    const broken = await this.limiter.check(rateLimits, {
      method: request.method,
      path,
      ip: realIp(request, trustedProxy, 0),
      identity,
    });
    if (!broken) return false;
    await reply.code(429).header('content-type', 'application/json; charset=utf-8').send(TOO_MANY_REQUESTS);
    return true;
  }

  /** onSend of a failed request: keeps its error body's message and data for the log. */
  noteFailure(request: FastifyRequest, payload: unknown): void {
    const failure = responseErrorOf(payload);
    if (failure) (request as Failed)[FAILURE] = failure;
  }

  /** onResponse: queues the request's log entry (the identity check runs after the response). */
  onResponse(request: FastifyRequest, reply: FastifyReply): void {
    const { logs, trustedProxy } = this.settings.value;
    if (logs.maxDays === 0) return;
    const status = reply.statusCode;
    if (status < 400 && skipsSuccessLog(request.method, request.url.split('?', 1)[0])) return;
    const finished: FinishedRequest = {
      method: request.method,
      url: request.url,
      status,
      execTimeMs: reply.elapsedTime,
      referer: header(request.headers.referer),
      userAgent: header(request.headers['user-agent']),
      userIP: realIp(request, trustedProxy, 0),
      remoteIP: remoteIp(request),
      identity: null,
      error: (request as Failed)[FAILURE],
      now: new Date(),
    };
    if (!request.headers.authorization) {
      this.log(logs, finished);
      return;
    }
    void this.identities.of(request).then((identity) => this.log(logs, { ...finished, identity }));
  }

  private log(settings: EdgeSettings['logs'], finished: FinishedRequest): void {
    const entry = requestLogEntry(settings, finished);
    if (entry) this.batcher.push(logEntryJson(entry));
  }

  /** After a settings change passed through, this process's copy is reloaded before the answer. */
  async onSettingsSaved(): Promise<void> {
    await this.settings.reload().catch((error: unknown) => this.logger.warn({ err: error }, 'settings reload failed'));
    // As PocketBase on a settings save: what the new logs settings would not keep goes now.
    void this.deleteLogsUnderNewSettings();
  }

  private identityOf(request: FastifyRequest): Promise<RequestIdentity | null> {
    return request.headers.authorization ? this.identities.of(request) : Promise.resolve(null);
  }
}

const header = (value: string | string[] | undefined): string => (Array.isArray(value) ? value[0] : (value ?? ''));
