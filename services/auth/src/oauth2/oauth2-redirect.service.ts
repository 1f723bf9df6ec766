import { REALTIME_OAUTH2, type RealtimeOAuth2Event } from '@hivebase/contracts';
import { EVENT_BUS, type EventBus } from '@hivebase/server';
import { Inject, Injectable, Logger } from '@nestjs/common';

// Relative to /api/oauth2-redirect, as PocketBase: the dashboard's pages at /_/.
const SUCCESS_LOCATION = '../_/#/auth/oauth2-redirect-success';
const FAILURE_LOCATION = '../_/#/auth/oauth2-redirect-failure';

/**
 * `/api/oauth2-redirect`, where providers send the browser in PocketBase's all-in-one flow: the
 * SDK's realtime client, whose id is the `state`, waits on the `@oauth2` topic for the code. The
 * realtime service owns those clients, so this publishes `realtime.oauth2` for it to deliver.
 */
@Injectable()
export class OAuth2RedirectService {
  private readonly logger = new Logger(OAuth2RedirectService.name);

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  /** Forwards the redirect's `state`, `code` and `error` (query or form) and says where the browser goes next. */
  async forward(input: unknown): Promise<string> {
    const data = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : {};
    const [state, code, error] = ['state', 'code', 'error'].map((key) => data[key] ?? '');
    if (typeof state !== 'string' || typeof code !== 'string' || typeof error !== 'string' || state === '') {
      this.logger.debug('missing or invalid OAuth2 redirect data');
      return FAILURE_LOCATION;
    }
    try {
      await this.bus.publish<RealtimeOAuth2Event>(REALTIME_OAUTH2, { clientId: state, state, code, error });
    } catch (failure) {
      this.logger.warn({ err: failure, clientId: state }, 'failed to publish the OAuth2 redirect');
      return FAILURE_LOCATION;
    }
    return error !== '' || code === '' ? FAILURE_LOCATION : SUCCESS_LOCATION;
  }
}
