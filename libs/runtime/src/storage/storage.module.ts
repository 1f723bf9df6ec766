import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { UploadedFile } from '@hivebase/contracts';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG } from '@hivebase/platform';
import type { RecordFileStore } from '@hivebase/records';
import {
  type ByteRange,
  LocalStorageDriver,
  type PutOptions,
  recordFileKey,
  recordPrefix,
  S3StorageDriver,
  type StorageDriver,
  type StoredObject,
  thumbsPrefix,
} from '@hivebase/storage';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { S3Config } from '../settings/settings.model';
import { SettingsService } from '../settings/settings.service';

/** Injection token of the process' storage driver. */
export const STORAGE_DRIVER = Symbol('STORAGE_DRIVER');

/** The directory local storage uses: `HB_STORAGE_DIR`, else `<HB_DIR>/storage`. */
export const storageDirOf = (config: BaseConfig): string => config.storageDir ?? join(config.dataDir, 'storage');

/**
 * The driver the settings choose, as PocketBase's `NewFilesystem`: S3 while `settings.s3.enabled`
 * (every process reads the same settings, so the distributed shape follows too), else the local
 * directory. Each operation asks again, so a settings change applies to the next request.
 */
export class SettingsStorageDriver implements StorageDriver {
  private s3: { config: string; driver: S3StorageDriver } | undefined;

  constructor(
    private readonly local: StorageDriver,
    private readonly s3Config: () => Readonly<S3Config>,
  ) {}

  private current(): StorageDriver {
    const config = this.s3Config();
    if (!config.enabled) return this.local;
    const key = JSON.stringify(config);
    if (this.s3?.config !== key) this.s3 = { config: key, driver: new S3StorageDriver(config) };
    return this.s3.driver;
  }

  put(key: string, body: Readable, options: PutOptions): Promise<void> {
    return this.current().put(key, body, options);
  }
  get(key: string, range?: ByteRange): Promise<{ object: StoredObject; body: Readable } | null> {
    return this.current().get(key, range);
  }
  stat(key: string): Promise<StoredObject | null> {
    return this.current().stat(key);
  }
  delete(key: string): Promise<void> {
    return this.current().delete(key);
  }
  deletePrefix(prefix: string): Promise<void> {
    return this.current().deletePrefix(prefix);
  }
  list(prefix: string): Promise<string[]> {
    return this.current().list(prefix);
  }
}

/** Record files through the storage driver, at the keys `object-keys.ts` builds. */
@Injectable()
export class StorageRecordFileStore implements RecordFileStore {
  private readonly logger = new Logger('Storage');

  constructor(@Inject(STORAGE_DRIVER) private readonly driver: StorageDriver) {}

  async save(collectionId: string, recordId: string, file: UploadedFile): Promise<void> {
    await this.driver.put(recordFileKey(collectionId, recordId, file.name), createReadStream(file.path), {
      contentType: file.contentType,
      size: file.size,
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

/** The storage driver (local directory, or S3 by `settings.s3`) and the record file store. */
@Global()
@Module({
  providers: [
    {
      provide: STORAGE_DRIVER,
      inject: [APP_CONFIG, SettingsService],
      useFactory: (config: BaseConfig, settings: SettingsService) =>
        new SettingsStorageDriver(new LocalStorageDriver(storageDirOf(config)), () => settings.get().s3),
    },
    StorageRecordFileStore,
  ],
  exports: [STORAGE_DRIVER, StorageRecordFileStore],
})
export class StorageModule {}
