import { toApiError } from '@hivebase/platform';
import { describe, expect, it } from 'vitest';
import { AUTH_ERRORS, AuthError, type AuthErrorCode } from './auth.errors';

describe('AUTH_ERRORS', () => {
  it('goes out through the one mapping as PocketBase’s {status, message, data}, never as an internal error', () => {
    for (const code of Object.keys(AUTH_ERRORS) as AuthErrorCode[]) {
      const { apiError, internal } = toApiError(new AuthError(code, { email: { code: 'x', message: 'y' } }));
      expect(internal).toBe(false);
      expect(apiError.toBody()).toEqual({
        status: AUTH_ERRORS[code].status,
        message: AUTH_ERRORS[code].message.replace(/\{\w+\}/g, ''),
        data: { email: { code: 'x', message: 'y' } },
      });
    }
  });

  it('fills in the named parts of a message and keeps the cause for the logs', () => {
    const cause = new Error('boom');
    const error = new AuthError('auth_provider_init_failed', {}, { params: { provider: 'gitlab' }, cause });
    expect(toApiError(error).apiError.toBody()).toEqual({
      status: 500,
      message: 'Failed to init provider gitlab',
      data: {},
    });
    expect(error.cause).toBe(cause);
    expect(new AuthError('auth_wrong_collection', {}, { params: { collection: 'users' } }).message).toBe(
      'The request requires auth record from users collection.',
    );
  });
});
