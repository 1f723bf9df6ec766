import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import type { UploadedFile } from '@hivebase/contracts';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, ConfigError, JOB_QUEUE, type JobQueue } from '@hivebase/platform';
import type { RecordFileStore } from '@hivebase/records';
import {
  type ByteRange,
  LocalStorageDriver,
  type PutOptions,
  recordFileKey,
  type S3Options,
  S3StorageDriver,
  type StorageDriver,
  type StoredObject,
} from '@hivebase/storage';
import { Global, Inject, Injectable, Logger, Module } from '@nestjs/common';
import type { S3Config } from '../settings/settings.model';
import { SettingsService } from '../settings/settings.service';
import { enqueueFileCleanup, type FileCleanup } from './file-cleanup';
import { STORAGE_DRIVER } from './storage-driver.token';

export { STORAGE_DRIVER } from './storage-driver.token';

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
  get(key: string, range?: ByteRange, known?: StoredObject): Promise<{ object: StoredObject; body: Readable } | null> {
    return this.current().get(key, range, known);
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

/**
 * Record files through the storage driver, at the keys `object-keys.ts` builds. Uploads are
 * written at once (inside the record's transaction); removals are queued as retried, idempotent
 * `FILE_CLEANUP_JOB`s (run by the collections and files services), since they come after a
 * commit that must not be undone by a storage hiccup.
 */
@Injectable()
export class StorageRecordFileStore implements RecordFileStore {
  private readonly logger = new Logger('Storage');

  constructor(
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
  ) {}

  async save(collectionId: string, recordId: string, file: UploadedFile): Promise<void> {
    await this.driver.put(recordFileKey(collectionId, recordId, file.name), createReadStream(file.path), {
      contentType: file.contentType,
      size: file.size,
    });
  }

  delete(collectionId: string, recordId: string, names: string[]): Promise<void> {
    return this.cleanUp({ collectionId, recordIds: [recordId], names });
  }

  deleteRecord(collectionId: string, recordId: string): Promise<void> {
    return this.cleanUp({ collectionId, recordIds: [recordId] });
  }

  /** Every file of the listed records (a truncated collection's), in jobs of up to 500 records. */
  async deleteRecords(collectionId: string, recordIds: string[]): Promise<void> {
    for (let start = 0; start < recordIds.length; start += 500) {
      await this.cleanUp({ collectionId, recordIds: recordIds.slice(start, start + 500) });
    }
  }

  /** A deleted collection's whole directory. */
  deleteCollection(collectionId: string): Promise<void> {
    return this.cleanUp({ collectionId });
  }

  /** The write has committed already: a queue failure is logged, never thrown at the client. */
  private async cleanUp(cleanup: FileCleanup): Promise<void> {
    try {
      await enqueueFileCleanup(this.queue, cleanup);
    } catch (error) {
      this.logger.error({ ...cleanup, err: error }, 'failed to queue the removal of stored files');
    }
  }
}

/**
 * S3 from the environment (`S3_ENABLED`, `S3_ENDPOINT`, `S3_BUCKET`, `S3_ACCESS_KEY`,
 * `S3_SECRET`, `S3_REGION`, `S3_FORCE_PATH_STYLE`), for the distributed shape where every
 * replica should find the bucket from boot; `null` when not enabled.
 */
export function s3FromEnvironment(config: BaseConfig): S3Options | null {
  if (!config.s3Enabled) return null;
  const { s3Endpoint: endpoint, s3Bucket: bucket, s3AccessKey: accessKey, s3Secret: secret } = config;
  const missing = Object.entries({
    S3_ENDPOINT: endpoint,
    S3_BUCKET: bucket,
    S3_ACCESS_KEY: accessKey,
    S3_SECRET: secret,
  })
    .filter(([, value]) => !value)
    .map(([name]) => `${name}: required when S3_ENABLED is true`);
  if (!endpoint || !bucket || !accessKey || !secret) throw new ConfigError(missing);
  return { endpoint, bucket, accessKey, secret, region: config.s3Region, forcePathStyle: config.s3ForcePathStyle };
}

/** The storage driver (S3 by environment, else local directory or S3 by `settings.s3`) and the record file store. */
@Global()
@Module({
  providers: [
    {
      provide: STORAGE_DRIVER,
      inject: [APP_CONFIG, SettingsService],
      useFactory: (config: BaseConfig, settings: SettingsService): StorageDriver => {
        const s3 = s3FromEnvironment(config);
        if (s3) return new S3StorageDriver(s3);
        return new SettingsStorageDriver(new LocalStorageDriver(storageDirOf(config)), () => settings.get().s3);
      },
    },
    StorageRecordFileStore,
  ],
  exports: [STORAGE_DRIVER, StorageRecordFileStore],
})
export class StorageModule {}
