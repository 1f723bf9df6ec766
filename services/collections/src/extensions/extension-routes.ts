import { sendApiError } from '@hivebase/platform';
import {
  ExtensionLoadError,
  ExtensionRegistry,
  hookAuthOf,
  hookRequestOf,
  type RegisteredRoute,
  RequestAuthenticator,
  type RouteEvent,
  type RouteResponse,
  SuperuserIps,
} from '@hivebase/runtime';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

// Paths the gateway sends to other services (its upstream table): an extension route there
// would answer in standalone and never in the distributed shape, so it is refused in both.
const AUTH_ACTION = /^\/api\/collections\/[^/]+\/(auth-[^/]+|request-[^/]+|confirm-[^/]+|impersonate\/[^/]+)\/?$/;
const OTHER_SERVICES = [/^\/api\/realtime\/?$/, /^\/api\/files(\/|$)/, /^\/api\/oauth2-redirect\/?$/, AUTH_ACTION];

const RESPONSE = Symbol('hivebase.routeResponse');
const respond = (status: number, kind: RouteResponse['kind'], payload: unknown): RouteResponse =>
  Object.assign({ status, kind, payload }, { [RESPONSE]: true });
const isResponse = (value: unknown): value is RouteResponse =>
  typeof value === 'object' && value !== null && RESPONSE in value;

/**
 * Serves the extensions' routes (`routes.get(…)`) on this service's HTTP server: the gateway
 * sends every `/api/` path no other service owns here. A route that clashes with a built-in one
 * stops boot.
 */
@Injectable()
export class ExtensionRoutes implements OnApplicationBootstrap {
  private readonly logger = new Logger('extensions');

  constructor(
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SuperuserIps) private readonly ips: SuperuserIps,
  ) {}

  /** After every module's init, so every built-in route (Nest's and the plain Fastify ones) is there to clash with. */
  onApplicationBootstrap(): void {
    if (this.extensions.routes.length === 0) return;
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    for (const route of this.extensions.routes) this.register(fastify, route);
  }

  private register(fastify: FastifyInstance, route: RegisteredRoute): void {
    const label = `${route.source}: route ${route.method} ${route.path}`;
    const sample = route.path.replace(/:[^/]+/g, 'x');
    const clashes =
      OTHER_SERVICES.some((pattern) => pattern.test(sample)) ||
      fastify.hasRoute({ method: route.method, url: route.path }) ||
      (route.method === 'HEAD' && fastify.hasRoute({ method: 'GET', url: route.path }));
    if (clashes) throw new ExtensionLoadError(`${label} clashes with a built-in route`);
    const limit = route.middlewares.find((middleware) => middleware.kind === 'bodyLimit')?.limit;
    try {
      fastify.route({
        method: route.method,
        url: route.path,
        ...(limit !== undefined ? { bodyLimit: limit } : {}),
        handler: (request, reply) => this.handle(route, request, reply),
      });
    } catch (error) {
      throw new ExtensionLoadError(`${label} cannot be served: ${(error as Error).message}`);
    }
  }

  // Every path returns `reply`: an async handler that resolves to anything else while the
  // answer is still on its way (onSend hooks are async) would make Fastify send a second one.
  private async handle(route: RegisteredRoute, request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    try {
      const auth = await this.authenticator.of(request);
      // PocketBase binds its superuser IP allow-list to every route, custom ones included.
      this.ips.assertAllowed(request, auth);
      const event: RouteEvent = {
        request: hookRequestOf(request),
        params: { ...(request.params as Record<string, string>) },
        auth: hookAuthOf(auth),
        // Read when the handler reads it: a body that does not read fails there (PocketBase's
        // BindBody), and a route that never reads it answers as usual.
        get body() {
          return request.body;
        },
        set body(value: unknown) {
          request.body = value;
        },
        json: (status, data) => respond(status, 'json', data),
        text: (status, text) => respond(status, 'text', text),
        noContent: (status = 204) => respond(status, 'empty', null),
      };
      for (const middleware of route.middlewares) await middleware.check(event);
      const result = await route.handler(event);
      const response = isResponse(result)
        ? result
        : result === undefined
          ? respond(204, 'empty', null)
          : respond(200, 'json', result);
      reply.status(response.status);
      if (response.kind === 'empty') return reply.send();
      if (response.kind === 'text') return reply.type('text/plain; charset=utf-8').send(String(response.payload));
      const payload = response.payload;
      // Objects go through Fastify's serializer (and the `fields` picker); other values are sent as their JSON text.
      const body = typeof payload === 'object' && payload !== null ? payload : JSON.stringify(payload ?? null);
      return reply.type('application/json').send(body);
    } catch (error) {
      sendApiError(error, request, reply, this.logger);
      return reply;
    }
  }
}
