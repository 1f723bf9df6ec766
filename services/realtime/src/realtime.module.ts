import { Module } from '@nestjs/common';

/**
 * The realtime service's feature module. Realtime SSE subscriptions. Its routes arrive with the Realtime issue; until then it serves `/api/health` and PocketBase-shaped 404s.
 */
@Module({})
export class RealtimeModule {}
