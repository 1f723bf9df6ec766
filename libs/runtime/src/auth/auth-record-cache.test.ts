import { describe, expect, it } from 'vitest';
import { AuthRecordCache } from './auth-record-cache';

describe('AuthRecordCache', () => {
  const clock = () => {
    let now = 1_000;
    return { now: () => now, advance: (ms: number) => (now += ms) };
  };

  it('returns a record until its entry expires', () => {
    const time = clock();
    const cache = new AuthRecordCache(1_000, 10, time.now);
    cache.set('users', { id: 'a', tokenKey: 'k1' });
    time.advance(999);
    expect(cache.get('users', 'a')).toEqual({ id: 'a', tokenKey: 'k1' });
    time.advance(1);
    expect(cache.get('users', 'a')).toBeUndefined();
  });

  it('keeps collections apart and evicts one record', () => {
    const cache = new AuthRecordCache();
    cache.set('users', { id: 'a' });
    cache.set('admins', { id: 'a' });
    cache.evict('users', 'a');
    expect(cache.get('users', 'a')).toBeUndefined();
    expect(cache.get('admins', 'a')).toEqual({ id: 'a' });
  });

  it('drops the oldest entry when full', () => {
    const cache = new AuthRecordCache(60_000, 2);
    cache.set('users', { id: 'a' });
    cache.set('users', { id: 'b' });
    cache.set('users', { id: 'c' });
    expect(cache.get('users', 'a')).toBeUndefined();
    expect(cache.get('users', 'b')).toBeDefined();
    expect(cache.get('users', 'c')).toBeDefined();
  });
});
