import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../testing';
import { toApiError } from './to-api-error';

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.drop();
});

describe('toApiError', () => {
  it.each([
    ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Content-Type.'],
    ['FST_ERR_CTP_INVALID_JSON_BODY', 'Something went wrong while processing your request.'],
    ['FST_ERR_CTP_EMPTY_JSON_BODY', 'Something went wrong while processing your request.'],
  ])("answers Fastify's %s as PocketBase's BindBody failing: 400 %s", (code, message) => {
    const { apiError, internal } = toApiError(Object.assign(new Error('fastify'), { code, statusCode: 415 }));
    expect(apiError.toBody()).toEqual({ data: {}, message, status: 400 });
    expect(internal).toBe(false);
  });

  it('answers an exhausted connection pool with a retryable 503, not a 500', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, connectionTimeoutMillis: 50 });
    const held = await pool.connect();
    try {
      const waited = await pool.connect().catch((error: unknown) => error);
      const { apiError, internal } = toApiError(waited);
      expect(apiError.toBody()).toEqual({
        status: 503,
        message: 'The server is busy, please try again later.',
        data: {},
      });
      expect(internal).toBe(true);
    } finally {
      held.release();
      await pool.end();
    }
  });

  it('answers Postgres at its connection limit with a 503, and other failures with a 500', () => {
    const tooMany = Object.assign(new Error('sorry, too many clients already'), { code: '53300' });
    expect(toApiError(tooMany).apiError.status).toBe(503);
    expect(toApiError(new Error('boom')).apiError.toBody()).toMatchObject({ status: 500 });
  });
});
