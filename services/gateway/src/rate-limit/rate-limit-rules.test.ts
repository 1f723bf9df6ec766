import { describe, expect, it } from 'vitest';
import type { RateLimitRule } from '../edge/edge-settings';
import { audiencesOf, collectionLabels, collectionRouteOf, findRateLimitRule, pathLabels } from './rate-limit-rules';

const rule = (label: string, audience: RateLimitRule['audience'] = ''): RateLimitRule => ({
  label,
  audience,
  duration: 1,
  maxRequests: 1,
});

// PocketBase's FindRateLimitRule cases (core/settings_model_test.go), plus the route tags.
describe('findRateLimitRule', () => {
  const rules = [
    rule('/api/a/'),
    rule('abc'),
    rule('def', '@guest'),
    rule('POST /api/b/'),
    rule('/api/c', '@auth'),
    rule('*:create'),
    rule('users:create', '@guest'),
  ];

  it.each<[string[], RateLimitRule['audience'][], string | undefined]>([
    [['missing'], ['', '@guest', '@auth'], undefined],
    [['abc'], ['', '@guest', '@auth'], 'abc'],
    [['def'], ['', '@auth'], undefined],
    [['def'], ['', '@guest'], 'def'],
    [['/api/a'], ['', '@guest'], '/api/a/'],
    [['/api/a/b/c'], ['', '@guest'], '/api/a/'],
    [['/api/ab'], ['', '@guest'], undefined],
    [['POST /api/b/x', '/api/b/x'], ['', '@guest'], 'POST /api/b/'],
    [['GET /api/b/x', '/api/b/x'], ['', '@guest'], undefined],
    [['/api/c'], ['', '@guest'], undefined],
    [['/api/c'], ['', '@auth'], '/api/c'],
    [['users:create', '*:create'], ['', '@guest'], 'users:create'],
    [['users:create', '*:create'], ['', '@auth'], '*:create'],
    [['abc', '/api/a/x'], ['', '@guest'], 'abc'],
  ])('labels %j for %j → %s', (labels, audiences, expected) => {
    expect(findRateLimitRule(rules, labels, audiences)?.label).toBe(expected);
  });

  it('tells audiences and path labels', () => {
    expect(audiencesOf(true)).toEqual(['', '@auth']);
    expect(audiencesOf(false)).toEqual(['', '@guest']);
    expect(pathLabels('GET', '/api/x')).toEqual(['GET /api/x', '/api/x']);
  });
});

describe('collectionRouteOf', () => {
  it.each<[string, string, string[] | null]>([
    ['GET', '/api/collections/posts/records', ['list']],
    ['POST', '/api/collections/posts/records', ['create']],
    ['GET', '/api/collections/posts/records/abc', ['view']],
    ['PATCH', '/api/collections/posts/records/abc', ['update']],
    ['DELETE', '/api/collections/posts/records/abc', ['delete']],
    ['PUT', '/api/collections/posts/records/abc', null],
    ['POST', '/api/collections/users/auth-with-password', ['authWithPassword', 'auth']],
    ['POST', '/api/collections/users/auth-with-oauth2', ['authWithOAuth2', 'auth']],
    ['POST', '/api/collections/users/auth-with-otp', ['authWithOTP', 'auth']],
    ['GET', '/api/collections/users/auth-methods', ['listAuthMethods']],
    ['POST', '/api/collections/users/request-otp', ['requestOTP']],
    ['GET', '/api/collections/users/auth-with-password', null],
    ['GET', '/api/files/posts/abc/a.png', ['file']],
    ['GET', '/api/collections/posts', null],
    ['GET', '/api/collections/%E0%A4%A/records', null],
    ['GET', '/api/health', null],
  ])('%s %s → %j', (method, path, tags) => {
    expect(collectionRouteOf(method, path)?.tags ?? null).toEqual(tags);
  });

  it('labels a collection route as PocketBase does', () => {
    const route = collectionRouteOf('POST', '/api/collections/users/auth-with-password');
    if (!route) throw new Error('no route');
    expect(collectionLabels('users', route, 'POST', '/api/collections/users/auth-with-password')).toEqual([
      'users:authWithPassword',
      'users:auth',
      '*:authWithPassword',
      '*:auth',
      'POST /api/collections/users/auth-with-password',
      '/api/collections/users/auth-with-password',
    ]);
  });
});
