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
  // Callback hooks: they run on every request, and only a rate-limit check or a settings save
  // has anything to wait for.
  fastify.addHook('onRequest', (request, reply, done) => {
    const limited = hooks.runtime?.onRequest(request, reply);
    if (!limited) {
      done();
      return;
    }
    limited.then(
      (answered) => {
        if (!answered) done();
      },
      (error: Error) => done(error),
    );
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    const runtime = hooks.runtime;
    if (!runtime || reply.statusCode >= 300) {
      if (runtime && reply.statusCode >= 400) runtime.noteFailure(request, payload);
      done(null, payload);
      return;
    }
    if (!isSettingsSave(request.method, request.url)) {
      done(null, payload);
      return;
    }
    runtime.onSettingsSaved().then(
      () => done(null, payload),
      (error: Error) => done(error),
    );
  });
  fastify.addHook('onResponse', (request, reply, done) => {
    const runtime = hooks.runtime;
    if (runtime) runtime.onResponse(request, reply);
    done();
  });
}
