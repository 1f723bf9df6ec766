import { type ClientRequest, request } from 'node:http';

/** One raw SSE stream held by the load process: no SDK, no EventSource, a few hundred bytes each. */
export interface SseClient {
  clientId: string;
  request: ClientRequest;
}

/** What every stream reports: record-event arrivals with their latencies. */
export interface Arrivals {
  count: number;
  /** receive − the record's `updated` (the server's write time, same host clock). */
  latencies: number[];
  /** receive − `sentAt` (when the load process sent the write request): includes the write's own queueing. */
  requestLatencies: number[];
  recording: boolean;
  /** Date.now() of the last counted arrival. */
  last: number;
}

const SENT_AT = /"sentAt":(\d+)/;
const UPDATED = /"updated":"([^"]+)"/;

/**
 * Opens `GET /api/realtime` on `port` and resolves with the client id of its PB_CONNECT. Every
 * later message carrying `sentAt` counts as a delivery (latencies from `updated` and `sentAt`, one host clock).
 */
export function openSse(port: number, arrivals: Arrivals): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/api/realtime', agent: false }, (response) => {
      if (response.statusCode !== 200) {
        reject(new Error(`GET /api/realtime answered ${response.statusCode}`));
        response.resume();
        return;
      }
      response.setEncoding('utf8');
      let buffer = '';
      let connected = false;
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const message = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          end = buffer.indexOf('\n\n');
          if (!connected) {
            const data = message.slice(message.indexOf('data:') + 5);
            connected = true;
            resolve({ clientId: (JSON.parse(data) as { clientId: string }).clientId, request: req });
            continue;
          }
          const sentAt = SENT_AT.exec(message);
          if (!sentAt || !arrivals.recording) continue;
          const now = Date.now();
          arrivals.count++;
          arrivals.last = now;
          arrivals.requestLatencies.push(now - Number(sentAt[1]));
          const updated = UPDATED.exec(message)?.[1];
          if (updated) arrivals.latencies.push(now - Date.parse(updated.replace(' ', 'T')));
        }
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** Runs `work` over `items` with at most `concurrency` at a time. */
export async function inBatches<T>(items: readonly T[], concurrency: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await work(items[next++]);
    }),
  );
}
