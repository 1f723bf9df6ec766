import { APP_CONFIG, ApiError, type BaseConfig, badRequest, forbidden, notFound, realIp } from '@hivebase/platform';
import { BODY_POLICIES, BodyErrors, RequestAuthenticator, SettingsService } from '@hivebase/runtime';
import { Controller, Get, HttpCode, Inject, Post, Req, Res } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RealtimeService } from './realtime.service';
import type { SseSink } from './realtime-client';
import { parseSubscribeForm } from './subscribe-form';

/** PocketBase's `/api/realtime`: GET opens the SSE stream, POST sets a client's subscriptions. */
@Controller('api/realtime')
export class RealtimeController {
  constructor(
    @Inject(RealtimeService) private readonly realtime: RealtimeService,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  private clientIp(request: FastifyRequest): string {
    // A distributed service sits one proxy hop (the gateway) behind the client.
    return realIp(request, this.settings.get().trustedProxy, this.config.mode === 'distributed' ? 1 : 0);
  }

  @Get()
  async connect(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    if (!this.realtime.isAcceptingClients) throw new ApiError(503, 'Too many realtime connections, try again later.');
    const raw = reply.raw;
    // Headers set by hooks (CORS, request id, …) go out with the stream's own.
    const headers: Record<string, string | number | string[]> = {};
    for (const [name, value] of Object.entries(reply.getHeaders())) if (value !== undefined) headers[name] = value;
    reply.hijack();
    raw.writeHead(200, {
      ...headers,
      'content-type': 'text/event-stream',
      'cache-control': 'no-store',
      // Proxies such as nginx must not hold events back.
      'x-accel-buffering': 'no',
    });
    raw.socket?.setNoDelay(true);
    const sink: SseSink = {
      write: (chunk) => raw.write(chunk),
      get backlog() {
        return raw.writableLength;
      },
      close: () => raw.end(),
    };
    const client = await this.realtime.connect(this.clientIp(request), sink).catch((error: unknown) => {
      raw.destroy(error instanceof Error ? error : undefined);
      throw error;
    });
    raw.once('close', () => this.realtime.disconnect(client));
  }

  @BodyErrors(BODY_POLICIES.generic)
  @Post()
  @HttpCode(204)
  async subscribe(@Req() request: FastifyRequest): Promise<void> {
    const form = parseSubscribeForm(request.body);
    const auth = await this.authenticator.of(request);
    const outcome = await this.realtime.subscribe(form.clientId, this.clientIp(request), auth, form.subscriptions);
    switch (outcome) {
      case 'ok':
        return;
      case 'not-found':
        throw notFound('Missing or invalid client id.');
      case 'ip-mismatch':
        throw badRequest('Invalid realtime client.');
      case 'auth-mismatch':
        throw forbidden("The current and the previous request authorization don't match.");
    }
  }
}
