import { describe, expect, it } from 'vitest';
import { ThumbCache } from './thumb-cache';

const thumb = (key: string, size: number) => ({
  object: { key, size, contentType: 'image/png', modified: new Date(0) },
  bytes: Buffer.alloc(size, 1),
});

describe('ThumbCache', () => {
  it('keeps what fits and drops the least recently used first', () => {
    const cache = new ThumbCache(30, 20);
    cache.set('a', thumb('a', 10));
    cache.set('b', thumb('b', 10));
    cache.set('c', thumb('c', 10));
    expect(cache.get('a')?.bytes.length).toBe(10); // a is now the most recently used
    cache.set('d', thumb('d', 10));
    expect(cache.get('b')).toBeUndefined();
    expect(['a', 'c', 'd'].map((key) => cache.get(key)?.object.key)).toEqual(['a', 'c', 'd']);
    expect(cache.size).toBe(30);
  });

  it('never holds an entry above its limit, and replacing a key counts its bytes once', () => {
    const cache = new ThumbCache(100, 20);
    cache.set('big', thumb('big', 21));
    expect(cache.get('big')).toBeUndefined();
    cache.set('a', thumb('a', 15));
    cache.set('a', thumb('a', 5));
    expect(cache.size).toBe(5);
    cache.delete('a');
    expect(cache.size).toBe(0);
  });
});
