import { isUploadedFile, type UploadedFile } from '@hivebase/contracts';
import {
  ApiError,
  badRequest,
  FieldsParamError,
  forbidden,
  PG_POOL,
  parseFieldsParam,
  pickFields,
  toApiError,
} from '@hivebase/platform';
import type { RecordAccess } from '@hivebase/records';
import {
  hookAuthOf,
  isSuperuser,
  mergeUploadedFiles,
  type RequestAuth,
  RequestAuthenticator,
  SettingsService,
} from '@hivebase/runtime';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Pool, PoolClient } from 'pg';
import { CollectionsError } from '../collections.errors';
import { RecordsService } from '../records/records.service';
import { type BatchAction, type BatchRequest, matchBatchAction, parseBatchRequests } from './batch-request';

/** One sub-request's answer, as PocketBase's BatchRequestResult. */
export interface BatchResult {
  status: number;
  body: unknown;
}

/** PocketBase limits every batch transaction, 3 s when the setting is unset. */
const DEFAULT_TIMEOUT_SECONDS = 3;
/** Postgres `query_canceled`: our statement_timeout fired. */
const QUERY_CANCELED = '57014';

const transactionFailed = (data = {}) => badRequest('Batch transaction failed.', data);

/** A sub-request that failed: the batch answers with its index and its own error response. */
class SubRequestFailed extends Error {
  constructor(
    readonly index: number,
    readonly response: ApiError,
  ) {
    super(response.message);
  }
}

class BatchTimedOut extends Error {}

/**
 * PocketBase's `POST /api/batch`: record creates, updates, deletes and upserts run one after
 * the other in one Postgres transaction, bounded by the settings' timeout. The first failure
 * rolls everything back (its record events included: they sit in the outbox of the same
 * transaction) and answers 400 with that sub-request's response under `data.requests.N`.
 */
@Injectable()
export class BatchService {
  private readonly logger = new Logger(BatchService.name);

  constructor(
    @Inject(RecordsService) private readonly records: RecordsService,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
  ) {}

  async run(request: FastifyRequest): Promise<BatchResult[]> {
    const config = this.settings.get().batch;
    if (!config.enabled || config.maxRequests <= 0) throw forbidden('Batch requests are not allowed.');
    // Read once batches are on: a body that does not read is a 400 after the 403 (PocketBase's order).
    const body: unknown = request.body;
    if (config.maxBodySize > 0 && bodySizeOf(request, body) > config.maxBodySize)
      throw new CollectionsError('collections_batch_too_large');
    const requests = parseBatchRequests(body, config.maxRequests);
    attachUploads(body, requests);
    // Every sub-request acts as the batch's caller; its own Authorization header is ignored (as PocketBase).
    const auth = await this.authenticator.of(request);
    const timeoutMs = (config.timeout > 0 ? config.timeout : DEFAULT_TIMEOUT_SECONDS) * 1000;
    return this.transaction(request.id, timeoutMs, (tx, stopped) => this.process(tx, request, auth, requests, stopped));
  }

  /**
   * Runs `work` between BEGIN and COMMIT on one connection. Each statement is capped by
   * `statement_timeout`, and the whole by a timer: when it fires the connection is closed
   * (Postgres rolls back) and the batch answers 400 "Batch transaction failed.".
   */
  private async transaction<T>(
    requestId: string,
    timeoutMs: number,
    work: (tx: PoolClient, stopped: () => boolean) => Promise<T>,
  ): Promise<T> {
    const tx = await this.pool.connect();
    let timedOut = false;
    let timer: NodeJS.Timeout | undefined;
    try {
      await tx.query('BEGIN');
      await tx.query(`SELECT set_config('statement_timeout', $1, true)`, [String(timeoutMs)]);
      const running = work(tx, () => timedOut);
      const deadline = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new BatchTimedOut());
        }, timeoutMs);
      });
      // The abandoned work fails on the closed connection; nobody waits for it.
      running.catch(() => undefined);
      const result = await Promise.race([running, deadline]);
      await tx.query('COMMIT');
      await this.records.settleFiles(tx, true);
      return result;
    } catch (error) {
      if (!timedOut) await tx.query('ROLLBACK').catch(() => undefined);
      await this.records.settleFiles(tx, false);
      throw this.failureOf(error, timedOut, requestId, timeoutMs);
    } finally {
      clearTimeout(timer);
      // A timed-out transaction may still be running a statement: close its connection instead of reusing it.
      tx.release(timedOut ? new Error('batch transaction timeout') : undefined);
    }
  }

  private async process(
    tx: PoolClient,
    request: FastifyRequest,
    auth: RequestAuth | null,
    requests: BatchRequest[],
    stopped: () => boolean,
  ): Promise<BatchResult[]> {
    const results: BatchResult[] = [];
    for (const [index, sub] of requests.entries()) {
      if (stopped()) throw new BatchTimedOut();
      try {
        results.push(await this.runOne(tx, request, auth, sub));
      } catch (error) {
        if (stopped() || (error as { code?: unknown }).code === QUERY_CANCELED) throw new BatchTimedOut();
        const { apiError, internal } = toApiError(error);
        // A server fault stays a 500 (logged by the filter), not a sub-request's 400.
        if (internal) throw error;
        throw new SubRequestFailed(index, apiError);
      }
    }
    return results;
  }

  private async runOne(
    tx: PoolClient,
    request: FastifyRequest,
    auth: RequestAuth | null,
    sub: BatchRequest,
  ): Promise<BatchResult> {
    const action = matchBatchAction(sub);
    // PocketBase's "unknown batch request action": a plain 400 as this sub-request's response.
    if (!action) throw badRequest();
    const access = this.accessFor(request, auth, sub, action);
    // Built only when a request hook runs for it: the sub-request as its own HTTP request would be.
    const hookContext = () => ({
      auth: hookAuthOf(auth),
      request: {
        method: sub.method.toUpperCase(),
        url: sub.url,
        headers: { ...access.request.headers },
        query: { ...access.request.query },
        ip: request.ip,
      },
    });
    const result = await this.records.writeInTransaction(tx, access, action.write, hookContext);
    return { status: result.status, body: pickRequestedFields(result.body, action.query) };
  }

  /** `@request.*` for a sub-request: the batch's auth; its own method, query and body; the batch's headers with its own on top. */
  private accessFor(
    request: FastifyRequest,
    auth: RequestAuth | null,
    sub: BatchRequest,
    action: BatchAction,
  ): RecordAccess {
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string') headers[name] = value;
      else if (Array.isArray(value)) headers[name] = value.join(', ');
    }
    for (const [name, value] of Object.entries(sub.headers)) headers[name.toLowerCase()] = value;
    const query: Record<string, string> = {};
    for (const [name, value] of action.query) query[name] ??= value;
    return {
      isSuperuser: isSuperuser(auth),
      request: { context: 'batch', method: sub.method.toUpperCase(), headers, query, body: sub.body, auth },
    };
  }

  private failureOf(error: unknown, timedOut: boolean, requestId: string, timeoutMs: number): unknown {
    if (error instanceof SubRequestFailed) {
      return transactionFailed({
        requests: {
          [String(error.index)]: {
            code: 'batch_request_failed',
            message: 'Batch request failed.',
            response: error.response.toBody(),
          },
        },
      });
    }
    if (timedOut || error instanceof BatchTimedOut) {
      this.logger.warn({ requestId, timeoutMs }, 'batch transaction timeout');
      return transactionFailed();
    }
    return error;
  }
}

/**
 * Multipart batches carry files as `requests.N.field` parts (as the SDK sends them): each joins
 * its sub-request's body as an upload would join a record form's (names kept under a plain key).
 */
function attachUploads(body: unknown, requests: BatchRequest[]): void {
  if (typeof body !== 'object' || body === null) return;
  for (const [key, value] of Object.entries(body)) {
    const match = /^requests\.(\d+)\.(.+)$/.exec(key);
    const files = (Array.isArray(value) ? value : [value]).filter(isUploadedFile) as UploadedFile[];
    const target = match ? requests[Number(match[1])] : undefined;
    if (!match || !target || files.length === 0) continue;
    mergeUploadedFiles(target.body, match[2] as string, files);
  }
}

/** The body size as sent; a chunked body (no Content-Length) is measured as its JSON. */
function bodySizeOf(request: FastifyRequest, body: unknown): number {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > 0) return declared;
  return Buffer.byteLength(JSON.stringify(body ?? {}));
}

/** A sub-request's own `?fields=`, as the fields picker trims a 2xx response. */
function pickRequestedFields(body: unknown, query: URLSearchParams): unknown {
  const raw = query.get('fields') ?? '';
  if (raw === '' || body === null) return body;
  try {
    return pickFields(body, parseFieldsParam(raw));
  } catch (error) {
    if (!(error instanceof FieldsParamError)) throw error;
    throw badRequest('Invalid "fields" parameter.', {
      fields: { code: `validation_${error.code}`, message: error.message },
    });
  }
}
