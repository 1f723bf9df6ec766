import { ClientResponseError } from 'pocketbase';
import { describe, expect, it } from 'vitest';
import { errorsUnder, flattenErrorData, toShownError } from './api-errors';

describe('flattenErrorData', () => {
  it('turns nested field errors into dotted paths', () => {
    const data = {
      name: { code: 'validation_required', message: 'Cannot be blank.' },
      fields: {
        '2': { max: { code: 'validation_min_greater_equal_than_required', message: 'Must be no less than 3.' } },
      },
    };
    expect(flattenErrorData(data)).toEqual({ name: 'Cannot be blank.', 'fields.2.max': 'Must be no less than 3.' });
  });

  it('ignores what is not an object', () => {
    expect(flattenErrorData(null)).toEqual({});
    expect(flattenErrorData('x')).toEqual({});
  });
});

describe('toShownError', () => {
  it('reads the message and data of an SDK error', () => {
    const error = new ClientResponseError({
      status: 400,
      response: { status: 400, message: 'Failed to create record.', data: { title: { code: 'x', message: 'Bad.' } } },
    });
    expect(toShownError(error)).toEqual({ message: 'Failed to create record.', fields: { title: 'Bad.' } });
  });
});

describe('errorsUnder', () => {
  it('keeps one prefix and strips it', () => {
    expect(errorsUnder({ 'fields.1.name': 'a', 'fields.10.name': 'b', name: 'c' }, 'fields.1')).toEqual({ name: 'a' });
  });
});
