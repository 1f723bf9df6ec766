import { FileCleanupModule } from '@hivebase/runtime';
import { Module } from '@nestjs/common';
import { FilesController } from './files.controller';
import { FilesService } from './files.service';

/**
 * The files service's feature module: PocketBase's `/api/files` (downloads with thumbs, ranges
 * and protected-file tokens) over the storage driver (docs/files.md).
 */
@Module({
  // Removes the stored files that record writes drop (with the collections service).
  imports: [FileCleanupModule],
  controllers: [FilesController],
  providers: [FilesService],
})
export class FilesModule {}
