import { Module } from '@nestjs/common';
import { HealthController } from './health.controller';

/** Serves `/api/health` from the platform's `HealthChecks`, with PocketBase's extras for superusers. */
@Module({ controllers: [HealthController] })
export class HealthEndpointModule {}
