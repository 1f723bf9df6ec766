import { CollectionsService } from '@hivebase/collections';
import { type BaseConfig, PG_POOL } from '@hivebase/platform';
import { CoreModule, SchemaRegistry, SettingsService, STORAGE_DRIVER } from '@hivebase/runtime';
import type { StorageDriver } from '@hivebase/storage';
import { type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Pool } from 'pg';
import { useEmbeddedPostgres } from '../embedded-postgres';
import { type EmbeddedPostgresSource, withDatabase } from '../serve';
import { findCounterpart, importCollections } from './import-collections';
import { type ImportProgress, silentProgress } from './import-progress';
import { copyRecords } from './import-records';
import { emptyReport, type ImportReport } from './import-report';
import { filesOnS3, importSettings } from './import-settings';
import { PocketBaseData } from './pocketbase-data';

export interface ImportPocketBaseOptions {
  /** Told after every page of records (the CLI draws a bar on a terminal). */
  progress?: ImportProgress;
  /** Where the embedded Postgres comes from when DATABASE_URL is unset (a running `serve`'s, else its own). */
  embedded?: EmbeddedPostgresSource;
}

/**
 * What the import needs of Hivebase: the core (database, schema, settings, storage) and the
 * collections API's service, without its HTTP side (no server runs here).
 */
@Module({})
class ImportAppModule {
  static forRoot(config: BaseConfig & { databaseUrl: string }): DynamicModule {
    return {
      module: ImportAppModule,
      imports: [CoreModule.forRoot({ name: 'hivebase-import', config })],
      providers: [CollectionsService],
    };
  }
}

/**
 * `hivebase import pocketbase <pb_data>`: PocketBase's collections (through the collections
 * import API), records with their ids, password hashes and tokenKeys, files and settings, into
 * the configured Hivebase database and storage. Idempotent and resumable: what is already there
 * (by collection definition, record id, file key and size) is left alone. The directory is
 * checked before anything starts (`PocketBaseImportError`).
 */
export async function importPocketBase(
  config: BaseConfig,
  source: string,
  options: ImportPocketBaseOptions = {},
): Promise<ImportReport> {
  const data = await PocketBaseData.open(source);
  try {
    return await withDatabase(
      config,
      async (resolved, stopDatabase) => {
        const app = await NestFactory.createApplicationContext(ImportAppModule.forRoot(resolved), {
          logger: ['error', 'warn'],
        });
        try {
          return await run(data, {
            collections: app.get(CollectionsService, { strict: false }),
            registry: app.get(SchemaRegistry, { strict: false }),
            settings: app.get(SettingsService, { strict: false }),
            pool: app.get<Pool>(PG_POOL, { strict: false }),
            storage: app.get<StorageDriver>(STORAGE_DRIVER, { strict: false }),
            progress: options.progress ?? silentProgress,
          });
        } finally {
          await app.close();
          await stopDatabase();
        }
      },
      options.embedded ?? useEmbeddedPostgres,
    );
  } finally {
    data.close();
  }
}

interface ImportServices {
  collections: CollectionsService;
  registry: SchemaRegistry;
  settings: SettingsService;
  pool: Pool;
  storage: StorageDriver;
  progress: ImportProgress;
}

async function run(data: PocketBaseData, services: ImportServices): Promise<ImportReport> {
  const report = emptyReport();
  const { collections, unreadable } = data.collections();
  for (const { name, reason } of unreadable) {
    report.problems.push({
      severity: 'error',
      subject: `collection ${name}`,
      reason: `unreadable in data.db: ${reason}`,
    });
  }
  const { refused, idMap } = await importCollections(collections, services.collections, services.registry, report);
  const pbSettings = data.settings();
  const context = {
    data,
    pool: services.pool,
    storage: services.storage,
    report,
    progress: services.progress,
    idMap,
    filesOnS3: filesOnS3(pbSettings),
  };
  if (context.filesOnS3) {
    report.problems.push({
      severity: 'skipped',
      subject: 'files',
      reason: "PocketBase kept them on S3: left in its bucket, which Hivebase's imported s3 settings point at",
    });
  }
  const current = services.registry.all();
  for (const pb of collections) {
    if (refused.has(pb.id)) {
      if (pb.type !== 'view') {
        report.problems.push({
          severity: 'error',
          subject: `records ${pb.name}`,
          reason: 'not copied: the collection was not imported',
        });
      }
      continue;
    }
    await copyRecords(context, pb, findCounterpart(current, pb));
  }
  await importSettings(pbSettings, services.settings, report);
  return report;
}
