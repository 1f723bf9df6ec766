import type { RequestContext } from '@hivebase/filter';
import type { FastifyRequest } from 'fastify';
import type { RequestAuth } from '../auth/request-auth';

/** What `@request.*` reads in rules and filters, taken from the HTTP request. */
export function ruleContextOf(
  request: FastifyRequest,
  auth: RequestAuth | null,
  body: Record<string, unknown> = {},
): RequestContext {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
    else if (Array.isArray(value)) headers[name] = value.join(', ');
  }
  const query: Record<string, string> = {};
  for (const [name, value] of Object.entries((request.query ?? {}) as Record<string, unknown>)) {
    query[name] = Array.isArray(value) ? String(value[0] ?? '') : String(value ?? '');
  }
  return { context: 'default', method: request.method.toUpperCase(), headers, query, body, auth };
}
