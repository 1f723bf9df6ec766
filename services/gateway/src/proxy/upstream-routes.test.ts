import { describe, expect, it } from 'vitest';
import { upstreamFor } from './upstream-routes';

describe('upstreamFor', () => {
  it.each([
    ['/api/realtime', 'realtime'],
    ['/api/files/posts/abc/photo.png', 'files'],
    ['/api/files/token', 'files'],
    ['/api/oauth2-redirect', 'auth'],
    ['/api/oauth2-redirect/', 'auth'],
    ['/api/oauth2-redirectx', 'collections'],
    ['/api/collections/users/auth-with-oauth2', 'auth'],
    ['/api/collections/users/auth-with-password', 'auth'],
    ['/api/collections/users/auth-methods', 'auth'],
    ['/api/collections/users/auth-refresh', 'auth'],
    ['/api/collections/users/request-otp', 'auth'],
    ['/api/collections/users/confirm-verification', 'auth'],
    ['/api/collections/_superusers/impersonate/abc123', 'auth'],
    ['/api/collections', 'collections'],
    ['/api/collections/users', 'collections'],
    ['/api/collections/users/records', 'collections'],
    ['/api/collections/users/records/auth-with-password', 'collections'],
    ['/api/collections/meta/scaffolds', 'collections'],
    ['/api/batch', 'collections'],
    ['/api/settings', 'collections'],
    ['/api/sql', 'collections'],
    ['/api/crons', 'collections'],
    ['/api/crons/__pbOTPCleanup__', 'collections'],
    ['/api/my-extension-route', 'collections'],
    ['/', null],
    ['/favicon.ico', null],
    ['/apix', null],
  ])('%s → %s', (path, expected) => {
    expect(upstreamFor(path)).toBe(expected);
  });
});
