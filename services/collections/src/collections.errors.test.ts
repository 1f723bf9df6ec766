import { toApiError } from '@hivebase/platform';
import { describe, expect, it } from 'vitest';
import { COLLECTIONS_ERRORS, CollectionsError, type CollectionsErrorCode } from './collections.errors';

describe('COLLECTIONS_ERRORS', () => {
  it('goes out through the one mapping as PocketBase’s {status, message, data}, never as an internal error', () => {
    for (const code of Object.keys(COLLECTIONS_ERRORS) as CollectionsErrorCode[]) {
      const data = { name: { code: 'validation_required', message: 'Cannot be blank.' } };
      const { apiError, internal } = toApiError(new CollectionsError(code, data));
      expect(internal).toBe(false);
      expect(apiError.toBody()).toEqual({
        status: COLLECTIONS_ERRORS[code].status,
        message: COLLECTIONS_ERRORS[code].message.replace(/\{\w+\}/g, ''),
        data,
      });
    }
  });

  it('fills in the named parts once, taking the values literally', () => {
    const error = new CollectionsError(
      'collections_apple_secret_failed',
      {},
      { params: { reason: 'bad {reason} $&' } },
    );
    expect(error.message).toBe('Failed to generate client secret. Raw error: \nbad {reason} $&.');
  });
});
