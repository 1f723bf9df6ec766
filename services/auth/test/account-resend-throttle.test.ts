import { describe, expect, it } from 'vitest';
import { RESEND_WINDOW_MS, ResendThrottle } from '../src/account/resend-throttle';

describe('ResendThrottle', () => {
  it('blocks a key for the window, then lets it through again', () => {
    const throttle = new ResendThrottle();
    expect(throttle.take('a', 0)).toBe(true);
    expect(throttle.take('a', RESEND_WINDOW_MS - 1)).toBe(false);
    expect(throttle.take('b', RESEND_WINDOW_MS - 1)).toBe(true);
    expect(throttle.take('a', RESEND_WINDOW_MS)).toBe(true);
    // b was taken later, so its window runs later.
    expect(throttle.take('b', RESEND_WINDOW_MS)).toBe(false);
  });

  it('unblocks a forgotten key at once', () => {
    const throttle = new ResendThrottle();
    throttle.take('a', 0);
    throttle.forget('a');
    expect(throttle.take('a', 1)).toBe(true);
  });
});
