import { Module } from '@nestjs/common';

/**
 * The auth service's feature module. PocketBase's authentication flows and mail. Its routes arrive with the Auth issue; until then it serves `/api/health` and PocketBase-shaped 404s.
 */
@Module({})
export class AuthModule {}
