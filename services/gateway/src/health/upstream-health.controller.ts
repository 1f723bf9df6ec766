import type { IncomingHttpHeaders } from 'node:http';
import { HEALTHY_MESSAGE, type HealthResponse } from '@hivebase/contracts';
import { APP_CONFIG, ApiError, type GatewayConfig } from '@hivebase/platform';
import { Controller, Get, Inject, Req } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { UpstreamTarget } from '../proxy/upstream-pool';
import { UPSTREAM_POOLS, type UpstreamPools } from '../proxy/upstream-pools';
import { UPSTREAMS, type UpstreamName } from '../proxy/upstream-routes';

/** The service that answers the superuser part of health: it reads tokens and settings, the gateway does not. */
const DETAILS_FROM: UpstreamName = 'collections';

// Hop-by-hop and framing headers are the gateway's own business with each service.
const NOT_FORWARDED = new Set([
  'host',
  'connection',
  'keep-alive',
  'content-length',
  'transfer-encoding',
  'upgrade',
  'te',
  'trailer',
  'expect',
  'proxy-connection',
]);

/**
 * The client's headers as sent (so the service sees which proxy headers the *client* set), plus
 * the client's address appended to `X-Forwarded-For` as the proxy does: the one hop the service
 * trusts and drops again before looking at the client's own headers.
 */
function clientHeaders(client: FastifyRequest): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(client.headers)) {
    if (!NOT_FORWARDED.has(name) && value !== undefined) headers[name] = value;
  }
  const previous = client.headers['x-forwarded-for'];
  headers['x-forwarded-for'] = previous ? `${previous}, ${client.ip}` : client.ip;
  headers['x-request-id'] = client.id;
  return headers;
}

type Answer = { problem?: { code: string; message: string }; data?: Record<string, unknown> };

/**
 * `/api/health` of the whole deployment: healthy when every upstream has at least one replica
 * that says so. For a superuser, `data` is what the collections service computes for the
 * client's own request.
 */
@Controller('api/health')
export class UpstreamHealthController {
  constructor(
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @Inject(UPSTREAM_POOLS) private readonly pools: UpstreamPools,
  ) {}

  // Fastify answers HEAD from this GET route (same status, no body), as PocketBase does.
  @Get()
  async check(@Req() client: FastifyRequest): Promise<HealthResponse> {
    const answers = await Promise.all(
      UPSTREAMS.map((name) => this.askUpstream(name, name === DETAILS_FROM ? clientHeaders(client) : {})),
    );
    const failing = Object.fromEntries(
      answers.flatMap((answer, at) => (answer.problem ? [[UPSTREAMS[at], answer.problem]] : [])),
    );
    const names = Object.keys(failing);
    if (names.length > 0) {
      throw new ApiError(503, `Unhealthy upstream: ${names.join(', ')}.`, failing);
    }
    const details = answers[UPSTREAMS.indexOf(DETAILS_FROM)].data;
    return { message: HEALTHY_MESSAGE, code: 200, data: details ?? {} };
  }

  /** Asks every replica; the upstream is healthy when one of them is (the others get no requests meanwhile). */
  private async askUpstream(name: UpstreamName, headers: IncomingHttpHeaders): Promise<Answer> {
    const targets = this.pools[name].targets();
    if (targets.length === 0) {
      return { problem: { code: 'upstream_unreachable', message: 'Unreachable: no address.' } };
    }
    const answers = await Promise.all(targets.map((target) => this.ask(target, headers)));
    answers.forEach((answer, at) => {
      targets[at].healthy = !answer.problem;
    });
    return answers.find((answer) => !answer.problem) ?? answers[0];
  }

  private async ask(target: UpstreamTarget, headers: IncomingHttpHeaders): Promise<Answer> {
    try {
      const response = await target.dispatcher.request({
        path: '/api/health',
        method: 'GET',
        headers: { ...headers, host: target.host },
        signal: AbortSignal.timeout(this.config.healthTimeoutMs),
      });
      if (response.statusCode !== 200) {
        await response.body.dump();
        return { problem: { code: 'upstream_unhealthy', message: `Answered ${response.statusCode}.` } };
      }
      const body = (await response.body.json().catch(() => null)) as Partial<HealthResponse> | null;
      const data = body?.data;
      return { data: typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {} };
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return { problem: { code: 'upstream_unreachable', message: `Unreachable: ${reason}.` } };
    }
  }
}
