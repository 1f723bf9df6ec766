export const UPSTREAMS = ['collections', 'auth', 'files', 'realtime'] as const;
export type UpstreamName = (typeof UPSTREAMS)[number];

// The auth service's actions under one auth collection (PocketBase's route names).
const AUTH_ACTION = /^\/api\/collections\/[^/]+\/(auth-[^/]+|request-[^/]+|confirm-[^/]+|impersonate\/[^/]+)\/?$/;

/**
 * The service that owns a request path, from the architecture's ownership table; `null` when
 * nothing behind the gateway serves it. The collections service takes every other `/api/` path
 * because it hosts extension routes and answers unknown ones.
 */
export function upstreamFor(path: string): UpstreamName | null {
  if (path === '/api/realtime' || path === '/api/realtime/') return 'realtime';
  if (path.startsWith('/api/files/') || path === '/api/files') return 'files';
  if (path === '/api/oauth2-redirect' || path === '/api/oauth2-redirect/') return 'auth';
  if (AUTH_ACTION.test(path)) return 'auth';
  if (path.startsWith('/api/')) return 'collections';
  return null;
}
