import { describe, expect, it } from 'vitest';
import type { EdgeSettings } from '../edge/edge-settings';
import { MemoryRateLimitCounter } from './rate-limit-counter';
import { ipInList, RateLimiter } from './rate-limiter';

const settings = (overrides: Partial<EdgeSettings['rateLimits']> = {}): EdgeSettings['rateLimits'] => ({
  enabled: true,
  excludedIPs: [],
  rules: [
    { label: '/api/', audience: '', duration: 60, maxRequests: 3 },
    { label: 'posts:create', audience: '@guest', duration: 60, maxRequests: 1 },
  ],
  ...overrides,
});

const guest = { method: 'POST', path: '/api/collections/posts/records', ip: '10.0.0.1', identity: null };
const names = (idOrName: string) => (idOrName === 'posts' || idOrName === 'pbc_posts' ? 'posts' : undefined);

describe('RateLimiter', () => {
  it('checks the path rule and the collection rule, each with its own budget', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitCounter(), names);
    expect(await limiter.check(settings(), guest)).toBeNull();
    expect((await limiter.check(settings(), guest))?.label).toBe('posts:create');
    // Another client has budgets of its own.
    expect(await limiter.check(settings(), { ...guest, ip: '10.0.0.2' })).toBeNull();
  });

  it('lets superusers, excluded IPs and a disabled limiter through', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitCounter(), names);
    const root = { collectionId: 'pbc_3142635823', collectionName: '_superusers', recordId: 'r' };
    for (let i = 0; i < 5; i++) {
      expect(await limiter.check(settings(), { ...guest, identity: root })).toBeNull();
      expect(await limiter.check(settings({ excludedIPs: ['10.0.0.0/8'] }), guest)).toBeNull();
      expect(await limiter.check(settings({ enabled: false }), guest)).toBeNull();
    }
  });

  it('counts a collection named by id under its name', async () => {
    const limiter = new RateLimiter(new MemoryRateLimitCounter(), names);
    expect(await limiter.check(settings(), { ...guest, path: '/api/collections/pbc_posts/records' })).toBeNull();
    expect((await limiter.check(settings(), guest))?.label).toBe('posts:create');
  });

  it('lets requests through when the counter fails', async () => {
    const broken = {
      consume: async () => {
        throw new Error('redis down');
      },
      close: async () => {},
    };
    const limiter = new RateLimiter(broken, names);
    expect(await limiter.check(settings(), guest)).toBeNull();
  });
});

describe('ipInList', () => {
  it.each<[string[], string, boolean]>([
    [['127.0.0.1'], '127.0.0.1', true],
    [['10.0.0.0/8'], '10.2.3.4', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['::1'], '0000:0000:0000:0000:0000:0000:0000:0001', true],
    [['2001:db8::/32'], '2001:db8::5', true],
    [['not-an-ip', '10.0.0.0/99', '/8', ''], '10.0.0.1', false],
    [['10.0.0.1'], 'not-an-ip', false],
    [[], '10.0.0.1', false],
  ])('%j has %s: %s', (entries, ip, expected) => {
    expect(ipInList(entries, ip)).toBe(expected);
  });
});
