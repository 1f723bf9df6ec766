import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { MAX_LOGGED_ERROR_BODY } from '../logs/request-log';

/**
 * Answers that declare a length up to this arrive whole before the client is answered: one
 * buffer handed to the reply costs far less than a stream piped into it, and these are nearly
 * every API answer. Longer or unsized ones (downloads, server-sent events) stream.
 */
export const BUFFERED_RESPONSE_BYTES = 64 << 10;

/** What the gateway sends to one replica. `headers` alternate name and value, as Node's `rawHeaders`. */
export interface UpstreamRequest {
  path: string;
  method: Dispatcher.HttpMethod;
  headers: string[];
  body: Buffer | Readable | null;
  headersTimeout?: number;
}

/** A replica's answer; `body` is whole when it was small enough, else a stream of it. */
export interface UpstreamResponse {
  statusCode: number;
  /** Lower-cased names; repeated headers as arrays. */
  headers: IncomingHttpHeaders;
  body: Buffer | Readable;
}

/** One request in flight to one replica. */
export interface UpstreamExchange {
  /** Settles with the answer (rejects with undici's error when none came). */
  response: Promise<UpstreamResponse>;
  /** Gives up on the request, or on the rest of a streaming answer. */
  abort(reason: Error): void;
}

/** The 503 Fastify answers while a replica closes: read it whole whatever its length, to recognise it. */
const isClosingAnswer = (statusCode: number, headers: IncomingHttpHeaders) =>
  statusCode === 503 && headers.connection === 'close';

// A failure's body is read whole up to what the request log keeps of it: the log wants its message.
const BUFFERED_FAILURE_BYTES = Math.max(BUFFERED_RESPONSE_BYTES, MAX_LOGGED_ERROR_BODY);

function wantsWhole(statusCode: number, headers: IncomingHttpHeaders): boolean {
  if (isClosingAnswer(statusCode, headers)) return true;
  const length = headers['content-length'];
  if (typeof length !== 'string') return false;
  return Number(length) <= (statusCode >= 400 ? BUFFERED_FAILURE_BYTES : BUFFERED_RESPONSE_BYTES);
}

/**
 * Sends `request` on `dispatcher` through undici's handler interface: no request/response
 * wrapper objects, no abort signal, and small answers collected as chunks instead of a stream.
 * Streamed answers keep undici's backpressure (the socket pauses while the stream is full).
 * `onDone` runs once, when the exchange is over (answer read, failed or aborted).
 */
export function exchange(dispatcher: Dispatcher, request: UpstreamRequest, onDone: () => void): UpstreamExchange {
  let controller: Dispatcher.DispatchController | null = null;
  let abortReason: Error | null = null;
  let finished = false;
  let statusCode = 0;
  let headers: IncomingHttpHeaders = {};
  let chunks: Buffer[] | null = null;
  let stream: Readable | null = null;
  let resolve!: (response: UpstreamResponse) => void;
  let reject!: (error: Error) => void;
  const response = new Promise<UpstreamResponse>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });

  const finish = () => {
    if (finished) return false;
    finished = true;
    onDone();
    return true;
  };

  const handler: Dispatcher.DispatchHandler = {
    onRequestStart(started) {
      controller = started;
      if (abortReason) started.abort(abortReason);
    },
    onResponseStart(started, status, responseHeaders) {
      // 1xx interim answers are not the answer.
      if (status < 200) return;
      statusCode = status;
      headers = responseHeaders;
      if (wantsWhole(status, responseHeaders)) {
        chunks = [];
        return;
      }
      stream = new Readable({
        read: () => started.resume(),
        destroy: (error, callback) => {
          if (!finished) started.abort(error ?? new Error('response stream closed'));
          callback(error);
        },
      });
      resolve({ statusCode, headers, body: stream });
    },
    onResponseData(started, chunk) {
      if (chunks) chunks.push(chunk);
      else if (stream && !stream.push(chunk)) started.pause();
    },
    onResponseEnd() {
      if (!finish()) return;
      if (chunks) {
        const body = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
        resolve({ statusCode, headers, body });
      } else {
        stream?.push(null);
      }
    },
    onResponseError(_controller, error) {
      if (!finish()) return;
      if (stream) stream.destroy(error);
      else reject(error);
    },
  };

  dispatcher.dispatch(
    {
      path: request.path,
      method: request.method,
      headers: request.headers,
      body: request.body,
      ...(request.headersTimeout ? { headersTimeout: request.headersTimeout } : {}),
    },
    handler,
  );

  return {
    response,
    abort(reason) {
      if (finished || abortReason) return;
      abortReason = reason;
      controller?.abort(reason);
    },
  };
}
