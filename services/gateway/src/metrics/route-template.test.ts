import { describe, expect, it } from 'vitest';
import { routeTemplate } from './route-template';

describe('routeTemplate', () => {
  it.each([
    ['/api/health', '/api/health'],
    ['/api/collections', '/api/collections'],
    ['/api/collections/posts', '/api/collections/:collection'],
    ['/api/collections/posts/records', '/api/collections/:collection/records'],
    ['/api/collections/posts/records/abc123', '/api/collections/:collection/records/:id'],
    ['/api/collections/users/auth-with-password', '/api/collections/:collection/auth-with-password'],
    ['/api/collections/users/impersonate/abc', '/api/collections/:collection/impersonate/:id'],
    ['/api/collections/users/whatever', '/api/*'],
    ['/api/collections/meta/scaffolds', '/api/collections/meta/scaffolds'],
    ['/api/files/posts/abc/a.png', '/api/files/:collection/:record/:filename'],
    ['/api/files/token', '/api/files/token'],
    ['/api/logs/abc', '/api/logs/:id'],
    ['/api/logs/stats', '/api/logs/stats'],
    ['/api/backups/x.zip', '/api/backups/:key'],
    ['/api/backups/x.zip/restore', '/api/backups/:key/restore'],
    ['/api/my-extension/route/1', '/api/*'],
    ['/_/assets/x.js', '/_/*'],
    ['/favicon.ico', 'other'],
  ])('%s → %s', (path, template) => {
    expect(routeTemplate(path)).toBe(template);
  });
});
