import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { UploadedFile } from '@hivebase/contracts';
import type { RecordFileStore } from '@hivebase/records';
import { LocalStorageDriver, recordFileKey, recordPrefix, type StorageDriver, thumbsPrefix } from '@hivebase/storage';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import { APP_CONFIG } from '../config/config.module';
import type { BaseConfig } from '../config/config.schema';

/** Injection token of the process' storage driver. */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

/** The directory local storage uses: `HB_STORAGE_DIR`, else `<HB_DIR>/storage`. */
export const storageDirOf = (config: BaseConfig): string => config.storageDir ?? join(config.dataDir, 'storage');

/** Record files through the storage driver, at the keys `object-keys.ts` builds. */
@Injectable()
export class StorageRecordFileStore implements RecordFileStore {
  private readonly logger = new Logger('Storage');

  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  async save(collectionId: string, recordId: string, file: UploadedFile): Promise<void> {
    await this.driver.put(recordFileKey(collectionId, recordId, file.name), createReadStream(file.path), {
      contentType: file.contentType,
    });
  }

  async delete(collectionId: string, recordId: string, names: string[]): Promise<void> {
    for (const name of names) {
      await this.logged(
        async () => {
          await this.driver.delete(recordFileKey(collectionId, recordId, name));
          await this.driver.deletePrefix(thumbsPrefix(collectionId, recordId, name));
        },
        { collectionId, recordId, name },
      );
    }
  }

  async deleteRecord(collectionId: string, recordId: string): Promise<void> {
    await this.logged(() => this.driver.deletePrefix(recordPrefix(collectionId, recordId)), { collectionId, recordId });
  }

  private async logged(work: () => Promise<void>, context: Record<string, string>): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.logger.warn({ ...context, err: error }, 'failed to delete stored files');
    }
  }
}

/** The storage driver (local directory; S3 comes with `settings.s3`) and the record file store. */
@Global()
@Module({
  providers: [
    {
      provide: STORAGE_DRIVER,
      inject: [APP_CONFIG],
      useFactory: (config: BaseConfig) => new LocalStorageDriver(storageDirOf(config)),
    },
    StorageRecordFileStore,
  ],
  exports: [STORAGE_DRIVER, StorageRecordFileStore],
})
export class StorageModule {}
