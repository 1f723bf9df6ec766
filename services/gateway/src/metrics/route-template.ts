import { matchedRoute } from '@hivebase/platform';
import type { FastifyRequest } from 'fastify';

const COLLECTION_ACTIONS = new Set([
  'auth-methods',
  'auth-refresh',
  'auth-with-password',
  'auth-with-oauth2',
  'auth-with-otp',
  'request-otp',
  'request-password-reset',
  'confirm-password-reset',
  'request-verification',
  'confirm-verification',
  'request-email-change',
  'confirm-email-change',
  'truncate',
]);
const FIXED = new Set([
  '/api/health',
  '/api/realtime',
  '/api/batch',
  '/api/settings',
  '/api/logs',
  '/api/logs/stats',
  '/api/collections',
  '/api/collections/import',
  '/api/files/token',
  '/api/backups',
  '/api/backups/upload',
  '/api/crons',
  '/api/sql',
  '/api/oauth2-redirect',
]);

/**
 * The route template of a path the gateway proxies (its router sees one catch-all route), so the
 * metrics count `/api/collections/:collection/records/:id`, never each record's own path. Paths
 * of no known route (extension routes, probes) share one label, which keeps the label set bounded.
 */
export function routeTemplate(path: string): string {
  if (FIXED.has(path)) return path;
  const parts = path.split('/');
  if (parts[1] !== 'api') return path.startsWith('/_/') || path === '/_' ? '/_/*' : 'other';
  const [, , area, a, b, c, d] = parts;
  if (area === 'collections' && a) {
    if (a === 'meta' && b && parts.length === 5) return `/api/collections/meta/${b}`;
    if (parts.length === 4) return '/api/collections/:collection';
    if (b === 'records' && parts.length === 5) return '/api/collections/:collection/records';
    if (b === 'records' && c && parts.length === 6) return '/api/collections/:collection/records/:id';
    if (b === 'impersonate' && c && parts.length === 6) return '/api/collections/:collection/impersonate/:id';
    if (b && COLLECTION_ACTIONS.has(b) && parts.length === 5) return `/api/collections/:collection/${b}`;
  }
  if (area === 'files' && a && b && c && parts.length === 6) return '/api/files/:collection/:record/:filename';
  if (area === 'logs' && a && parts.length === 4) return '/api/logs/:id';
  if (area === 'settings' && parts.length >= 4) return `/api/settings/${parts.slice(3).join('/')}`.slice(0, 60);
  if (area === 'backups' && a)
    return d === undefined && c === undefined && b ? `/api/backups/:key/${b}` : '/api/backups/:key';
  if (area === 'crons' && a && parts.length === 4) return '/api/crons/:id';
  return '/api/*';
}

/** The gateway's metrics label for a request: its own routes' templates, else the proxied path's. */
export function gatewayMetricsRoute(request: FastifyRequest): string {
  const matched = matchedRoute(request);
  return matched === '/*' ? routeTemplate(request.url.split('?', 1)[0]) : matched;
}
