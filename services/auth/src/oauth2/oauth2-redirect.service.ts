import { REALTIME_OAUTH2, type RealtimeOAuth2Event } from '@hivebase/contracts';
import { APP_CONFIG, type BaseConfig, EVENT_BUS, type EventBus, realIp } from '@hivebase/platform';
import { CLIENT_DIRECTORY, type ClientDirectory, SettingsService } from '@hivebase/runtime';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

// Relative to /api/oauth2-redirect, as PocketBase: the dashboard's pages at /_/.
const SUCCESS_LOCATION = '../_/#/auth/oauth2-redirect-success';
const FAILURE_LOCATION = '../_/#/auth/oauth2-redirect-failure';

/**
 * `/api/oauth2-redirect`, where providers send the browser in PocketBase's all-in-one flow: the
 * SDK's realtime client, whose id is the `state`, waits on the `@oauth2` topic for the code. The
 * realtime service holds those clients; this finds the one the state names in the shared client
 * directory and publishes `realtime.oauth2` for its replica to deliver.
 */
@Injectable()
export class OAuth2RedirectService {
  private readonly logger = new Logger(OAuth2RedirectService.name);

  constructor(
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(CLIENT_DIRECTORY) private readonly directory: ClientDirectory,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  /** Forwards the redirect's `state`, `code` and `error` (query or form) and says where the browser goes next. */
  async forward(request: FastifyRequest, input: unknown): Promise<string> {
    const data = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const [state, code, error] = ['state', 'code', 'error'].map((key) => data[key] ?? '');
    if (typeof state !== 'string' || typeof code !== 'string' || typeof error !== 'string' || state === '') {
      this.logger.debug('missing or invalid OAuth2 redirect data');
      return FAILURE_LOCATION;
    }
    try {
      // As PocketBase: only a live client waiting on `@oauth2`, from the address that opened it
      // (so a link planted elsewhere cannot complete someone else's sign-in).
      const client = await this.directory.find(state);
      const proxyHops = this.config.mode === 'distributed' ? 1 : 0;
      if (!client?.oauth2) {
        this.logger.debug({ clientId: state }, 'no realtime client waits for this OAuth2 redirect');
        return FAILURE_LOCATION;
      }
      if (client.ip !== '' && client.ip !== realIp(request, this.settings.get().trustedProxy, proxyHops)) {
        this.logger.debug({ clientId: state }, 'the OAuth2 redirect comes from another address than its client');
        return FAILURE_LOCATION;
      }
      await this.bus.publish<RealtimeOAuth2Event>(REALTIME_OAUTH2, { clientId: state, state, code, error });
    } catch (failure) {
      this.logger.warn({ err: failure, clientId: state }, 'failed to forward the OAuth2 redirect');
      return FAILURE_LOCATION;
    }
    return error !== '' || code === '' ? FAILURE_LOCATION : SUCCESS_LOCATION;
  }
}
