import { Module } from '@nestjs/common';

/**
 * The files service's feature module. Serving stored files and thumbnails. Its routes arrive with the Files issue; until then it serves `/api/health` and PocketBase-shaped 404s.
 */
@Module({})
export class FilesModule {}
