import type { FastifyInstance, FastifyRequest } from 'fastify';
import { processMetrics } from './metrics';

/** The route template a request matched (`/api/collections/:collection/records`), `unmatched` if none. */
export const matchedRoute = (request: FastifyRequest): string => request.routeOptions.url ?? 'unmatched';

/**
 * Counts every answered request and its latency by method, route template (never the raw path,
 * which would grow without bound) and status. `routeOf` names the template where the router's
 * own is too coarse (the gateway's one catch-all proxy route).
 */
export function registerHttpMetrics(
  fastify: FastifyInstance,
  routeOf: (request: FastifyRequest) => string = matchedRoute,
): void {
  const metrics = processMetrics();
  fastify.addHook('onResponse', (request, reply, done) => {
    const labels = { method: request.method, route: routeOf(request), status: String(reply.statusCode) };
    metrics.httpRequests.inc(labels);
    // Fastify times every request from its arrival; no hook of our own needs to.
    metrics.httpDuration.observe(labels, reply.elapsedTime / 1000);
    done();
  });
}
