import type { FastifyInstance } from 'fastify';
import type { EdgeRuntime } from './edge-runtime';

/**
 * Where the Fastify hooks find the edge runtime: the hooks are registered while the app is
 * built, the runtime is made by Nest (it needs the pool, bus and job queue) and attached at init.
 * Until then, and when the edge is off, requests pass untouched.
 */
export class EdgeHooks {
  runtime: EdgeRuntime | undefined;
}

const isSettingsSave = (method: string, url: string) =>
  method === 'PATCH' && (url === '/api/settings' || url.startsWith('/api/settings?'));

/**
 * Registers the edge's hooks on `fastify` (before the routes they must cover). They cover every
 * request, the dashboard's files included, as PocketBase's rate limiter and activity logger are
 * bound to its root router.
 */
export function registerEdgeHooks(fastify: FastifyInstance, hooks: EdgeHooks): void {
  fastify.addHook('onRequest', async (request, reply) => {
    const runtime = hooks.runtime;
    if (!runtime) return;
    if (await runtime.onRequest(request, reply)) return reply;
  });
  fastify.addHook('onSend', async (request, reply, payload) => {
    const runtime = hooks.runtime;
    if (!runtime) return;
    if (reply.statusCode >= 400) runtime.noteFailure(request, payload);
    else if (reply.statusCode < 300 && isSettingsSave(request.method, request.url)) await runtime.onSettingsSaved();
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const runtime = hooks.runtime;
    if (runtime) runtime.onResponse(request, reply);
    done();
  });
}
