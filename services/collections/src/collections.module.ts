import { Module } from '@nestjs/common';

/**
 * The collections service's feature module. Schema admin, records, batch, settings and extension routes. Its routes arrive with the Collections and Records issues; until then it serves `/api/health` and PocketBase-shaped 404s.
 */
@Module({})
export class CollectionsModule {}
