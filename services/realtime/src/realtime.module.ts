import { type BeforeApplicationShutdown, Inject, Module } from '@nestjs/common';
import { loadRealtimeConfig, REALTIME_CONFIG } from './realtime.config';
import { RealtimeController } from './realtime.controller';
import { RealtimeService } from './realtime.service';

/**
 * The realtime service's feature module: PocketBase's `/api/realtime` (SSE stream and
 * subscriptions), record events checked per client against the collection's rules, `@oauth2`
 * messages, and the client directory that lets any replica answer any client (docs/realtime.md).
 */
@Module({
  controllers: [RealtimeController],
  providers: [{ provide: REALTIME_CONFIG, useFactory: () => loadRealtimeConfig() }, RealtimeService],
  exports: [RealtimeService],
})
export class RealtimeModule implements BeforeApplicationShutdown {
  constructor(@Inject(RealtimeService) private readonly realtime: RealtimeService) {}

  // Streams never end on their own: closing them first lets the server stop and the SDKs reconnect elsewhere.
  async beforeApplicationShutdown(): Promise<void> {
    await this.realtime.closeAll();
  }
}
