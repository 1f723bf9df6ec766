import { sendApiError } from '@hivebase/platform';
import type { ListParams } from '@hivebase/records';
import { RequestAuthenticator, SuperuserIps } from '@hivebase/runtime';
import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { RecordsService } from './records.service';

const RECORDS = '/api/collections/:collection/records';

type Params = { collection: string; id: string };
type Query = ListParams & { expand?: string };
type Request = FastifyRequest<{ Params: Params; Querystring: Query }>;

/**
 * PocketBase's record CRUD (`/api/collections/{collection}/records`), the API's hottest routes,
 * served as plain Fastify routes rather than through a Nest controller: Nest's per-request
 * guards, parameter resolution and response handling are a share of a short request's CPU that
 * these five routes do not need (issue 14). What Nest gave them is done here: the superuser IP
 * allow-list its global guard applies, and PocketBase-shaped errors through the same
 * `sendApiError` its exception filter uses. Hooks on the Fastify instance (edge, metrics,
 * `?fields=`, body limits) cover these routes as any other.
 */
@Injectable()
export class RecordsRoutes implements OnModuleInit {
  private readonly logger = new Logger('http');

  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Inject(RecordsService) private readonly records: RecordsService,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SuperuserIps) private readonly ips: SuperuserIps,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    const { records } = this;
    fastify.get(
      RECORDS,
      this.serve(200, (request) => records.list(request, request.params.collection, request.query)),
    );
    fastify.post(
      RECORDS,
      this.serve(200, (request) =>
        // The service reads the body once it found the collection (a 404 before a body that does not read).
        records.create(request, request.params.collection, request.query.expand),
      ),
    );
    fastify.get(
      `${RECORDS}/:id`,
      this.serve(200, (request) =>
        records.view(request, request.params.collection, request.params.id, request.query.expand),
      ),
    );
    fastify.patch(
      `${RECORDS}/:id`,
      this.serve(200, (request) =>
        records.update(request, request.params.collection, request.params.id, request.query.expand),
      ),
    );
    fastify.delete(
      `${RECORDS}/:id`,
      this.serve(204, (request) => records.delete(request, request.params.collection, request.params.id)),
    );
  }

  /** A route handler answering `status` with what `run` resolves to, or the error it throws in PocketBase's shape. */
  private serve(status: 200 | 204, run: (request: Request) => Promise<unknown>) {
    return (request: FastifyRequest, reply: FastifyReply): void => {
      this.allowed(request as Request)
        .then(() => run(request as Request))
        .then(
          (body) => void (status === 204 ? reply.code(204).send() : reply.code(status).send(body)),
          (error: unknown) => sendApiError(error, request, reply, this.logger),
        );
    };
  }

  /** The superuser IP allow-list (Nest's global guard on every other route); tokenless requests skip it. */
  private async allowed(request: FastifyRequest): Promise<void> {
    if (request.headers.authorization) this.ips.assertAllowed(request, await this.authenticator.of(request));
  }
}
