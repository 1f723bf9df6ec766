import { describe, expect, it } from 'vitest';
import { defaultEdgeSettings, edgeSettingsFrom } from '../edge/edge-settings';
import {
  type FinishedRequest,
  newLogId,
  REDACTED,
  redactUrl,
  requestLogEntry,
  responseErrorOf,
  skipsSuccessLog,
  truncateLogData,
} from './request-log';

const request: FinishedRequest = {
  method: 'get',
  url: '/api/collections/posts/records?filter=a%20%3D%201',
  status: 200,
  execTimeMs: 1.5,
  referer: 'http://app.example.com/',
  userAgent: 'test-agent',
  userIP: '203.0.113.9',
  remoteIP: '127.0.0.1',
  identity: { collectionId: 'pbc_users', collectionName: 'users', recordId: 'abc123def456ghi' },
  now: new Date('2026-01-02T03:04:05.678Z'),
};

describe('requestLogEntry', () => {
  it('writes PocketBase’s request log', () => {
    const entry = requestLogEntry({ ...defaultEdgeSettings().logs, logAuthId: true }, request);
    expect(entry).toMatchObject({
      created: '2026-01-02 03:04:05.678Z',
      level: 0,
      message: 'GET /api/collections/posts/records?filter=a = 1',
      data: {
        type: 'request',
        execTime: 1.5,
        url: '/api/collections/posts/records?filter=a%20%3D%201',
        method: 'GET',
        status: 200,
        referer: 'http://app.example.com/',
        userAgent: 'test-agent',
        auth: 'users',
        authId: 'abc123def456ghi',
        userIP: '203.0.113.9',
        remoteIP: '127.0.0.1',
      },
    });
    expect(entry?.id).toMatch(/^[a-z0-9]{15}$/);
  });

  it('honours logIP, logAuthId, minLevel and maxDays', () => {
    const logs = defaultEdgeSettings().logs;
    const quiet = requestLogEntry({ ...logs, logIP: false }, request);
    expect(quiet?.data).not.toHaveProperty('userIP');
    expect(quiet?.data).not.toHaveProperty('remoteIP');
    expect(quiet?.data).not.toHaveProperty('authId');
    expect(requestLogEntry({ ...logs, minLevel: 4 }, request)).toBeNull();
    expect(requestLogEntry({ ...logs, minLevel: 4 }, { ...request, status: 500 })?.level).toBe(8);
    expect(requestLogEntry({ ...logs, maxDays: 0 }, request)).toBeNull();
    expect(requestLogEntry(logs, { ...request, status: 404 })?.data).toMatchObject({
      error: 'Not Found.',
      status: 404,
    });
  });

  it("logs a failure's message and data as PocketBase's error and details", () => {
    const body = JSON.stringify({
      data: { title: { code: 'validation_required', message: 'Missing required value.' } },
      message: 'Failed to create record.',
      status: 400,
    });
    const entry = requestLogEntry(defaultEdgeSettings().logs, {
      ...request,
      status: 400,
      error: responseErrorOf(body),
    });
    expect(entry?.level).toBe(8);
    expect(entry?.data).toMatchObject({
      error: 'Failed to create record.',
      details: { title: { code: 'validation_required', message: 'Missing required value.' } },
    });
  });

  it.each([
    ['not JSON', 'Bad Gateway'],
    ['JSON without a message', '{"data":{}}'],
    ['a message that is not text', '{"message":{"x":1}}'],
    ['an array', '[1,2]'],
    ['truncated JSON', '{"message":"x'],
    ['a body over 64 KiB', `{"message":"${'x'.repeat(70_000)}"}`],
    ['a stream', { pipe() {} }],
  ])('reads no error from %s (the status text stands in)', (_label, payload) => {
    expect(responseErrorOf(payload)).toBeUndefined();
    expect(responseErrorOf(Buffer.from('{"message":"Forbidden.","data":{}}'))).toEqual({
      message: 'Forbidden.',
      data: {},
    });
  });

  it.each([
    ['GET', '/api/logs', true],
    ['GET', '/api/logs/stats', true],
    ['DELETE', '/api/logs', true],
    ['GET', '/api/logsx', false],
    ['GET', '/api/realtime', true],
    ['POST', '/api/realtime', false],
    ['GET', '/api/oauth2-redirect', true],
    ['POST', '/api/oauth2-redirect', true],
    ['GET', '/api/collections/logs/records', false],
  ])('%s %s: success left out of the logs as PocketBase → %s', (method, path, skipped) => {
    expect(skipsSuccessLog(method, path)).toBe(skipped);
  });

  it('cuts long values as PocketBase does', () => {
    const entry = requestLogEntry(defaultEdgeSettings().logs, { ...request, userAgent: 'x'.repeat(2500) });
    expect(entry?.data.userAgent).toBe(`${'x'.repeat(2000)}...`);
  });
});

describe('redactUrl', () => {
  it.each([
    ['/api/files/c/r/a.png?token=eyJ.abc.def&thumb=100x100', `/api/files/c/r/a.png?token=${REDACTED}&thumb=100x100`],
    ['/api/oauth2-redirect?code=xyz&state=abc', `/api/oauth2-redirect?code=${REDACTED}&state=${REDACTED}`],
    ['/api/x?password=hunter2&page=2', `/api/x?password=${REDACTED}&page=2`],
    ['/api/x?%74oken=a', `/api/x?%74oken=${REDACTED}`],
    ['/api/x?filter=token%3D1', '/api/x?filter=token%3D1'],
    ['/api/x?%E0%A4%A=1', '/api/x?%E0%A4%A=1'],
    ['/api/x', '/api/x'],
  ])('%s → %s', (url, expected) => {
    expect(redactUrl(url)).toBe(expected);
  });
});

describe('truncateLogData', () => {
  it('keeps data under the limit as it is', () => {
    const data = { a: 1, b: 'two' };
    expect(truncateLogData(data, 0)).toBe(data);
  });

  it('keeps the attributes that fit and marks the cut', () => {
    const data = { a: 'x'.repeat(10), b: 'y'.repeat(100), c: 1 };
    expect(truncateLogData(data, 40)).toEqual({ a: 'x'.repeat(10), __pb_truncated__: true });
    // 0 means PocketBase's ~16 KB.
    const big = { a: 'x'.repeat(20_000) };
    expect(truncateLogData(big, 0)).toEqual({ __pb_truncated__: true });
  });
});

describe('edgeSettingsFrom', () => {
  it('reads the stored document leniently, defaults where unreadable', () => {
    expect(edgeSettingsFrom(null)).toEqual(defaultEdgeSettings());
    const read = edgeSettingsFrom({
      logs: { maxDays: 'x', logIP: false, maxDataSize: 100 },
      rateLimits: {
        enabled: true,
        excludedIPs: ['1.2.3.4', 5],
        rules: [
          { label: '/api/', audience: '@guest', duration: 10, maxRequests: 5 },
          { label: 'bad', duration: 0, maxRequests: 1 },
          'junk',
          { label: 'x', audience: '@weird', duration: 1, maxRequests: 1 },
        ],
      },
      trustedProxy: { headers: ['X-Real-IP'], useLeftmostIP: true },
    });
    expect(read.logs).toEqual({ maxDataSize: 100, maxDays: 5, minLevel: 0, logIP: false, logAuthId: false });
    expect(read.rateLimits).toEqual({
      enabled: true,
      excludedIPs: ['1.2.3.4'],
      rules: [
        { label: '/api/', audience: '@guest', duration: 10, maxRequests: 5 },
        { label: 'x', audience: '', duration: 1, maxRequests: 1 },
      ],
    });
    expect(read.trustedProxy).toEqual({ headers: ['X-Real-IP'], useLeftmostIP: true });
  });
});

describe('newLogId', () => {
  it('makes 15-character [a-z0-9] ids, distinct, that sort by the millisecond they were made in', () => {
    const moments = [Date.UTC(2026, 11, 7, 15, 4, 5, 1), Date.UTC(2026, 11, 7, 15, 4, 5, 2), Date.UTC(2030, 0, 1)];
    const ids = moments.flatMap((ms) => Array.from({ length: 1000 }, () => newLogId(ms)));
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]{15}$/);
    expect(new Set(ids).size).toBe(ids.length);
    const first = (ms: number) => ids.slice(moments.indexOf(ms) * 1000, (moments.indexOf(ms) + 1) * 1000);
    for (const [earlier, later] of [
      [moments[0], moments[1]],
      [moments[1], moments[2]],
    ] as const) {
      expect(first(earlier).every((a) => first(later).every((b) => a < b))).toBe(true);
    }
    // Past 36^8 ms (2059) the clock wraps rather than growing the id.
    expect(newLogId(36 ** 8 + 5)).toMatch(/^00000005[a-z0-9]{7}$/);
  });
});
