import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { requestLogLevel } from './logging.module';

const request = (destroyed: boolean) => ({ destroyed }) as IncomingMessage;
const response = (statusCode: number, writableFinished: boolean) =>
  ({ statusCode, writableFinished }) as ServerResponse;

describe('requestLogLevel', () => {
  it.each([
    ['a normal answer', request(false), response(200, true), undefined, 'info'],
    ['a client error', request(false), response(404, true), undefined, 'info'],
    ['a server error', request(false), response(500, true), undefined, 'error'],
    ['a failed response', request(false), response(200, false), new Error('boom'), 'error'],
    ['a client that went away mid-response', request(true), response(200, false), new Error('aborted'), 'debug'],
    ['a client that left after a full answer', request(true), response(200, true), undefined, 'info'],
  ] as const)('%s → %s', (_case, req, res, error, level) => {
    expect(requestLogLevel(req, res, error)).toBe(level);
  });
});
