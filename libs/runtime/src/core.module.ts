import type { BaseConfig } from '@hivebase/platform';
import { BusModule, ConfigModule, DatabaseModule, HealthModule, JobsModule, LoggingModule } from '@hivebase/platform';
import { type DynamicModule, Module } from '@nestjs/common';
import { AuthCoreModule } from './auth/auth.module';
import { ActiveBackupModule } from './backups/active-backup';
import type { ExtensionRegistry } from './extensions/extension-registry';
import { ExtensionsModule, loadExtensions } from './extensions/extensions.module';
import { HealthEndpointModule } from './health/health-endpoint.module';
import { OutboxModule } from './outbox/outbox.module';
import { ClientDirectoryModule } from './realtime/client-directory.provider';
import { SchemaModule } from './schema/schema.module';
import { SettingsModule } from './settings/settings.module';
import { StorageModule } from './storage/storage.module';

export interface CoreModuleOptions {
  /** Name on log lines and the Postgres connection. */
  name: string;
  /** Config with `databaseUrl` resolved (standalone resolves it from embedded Postgres first). */
  config: BaseConfig & { databaseUrl: string };
  /** The extensions to run; by default those of the config's hooks directory (docs/extending.md). */
  extensions?: ExtensionRegistry;
}

/**
 * What every Hivebase process hosting services needs: config, logging, the database (system
 * migrations at boot), the event bus and job queue for its mode, `/api/health`, and the collection
 * metadata (system collections created on a fresh database).
 */
@Module({})
export class CoreModule {
  static forRoot({ name, config, extensions }: CoreModuleOptions): DynamicModule {
    return {
      module: CoreModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule.forRoot(config, name),
        DatabaseModule.forRoot({ url: config.databaseUrl, migrate: config.migrateOnBoot, applicationName: name }),
        BusModule.forRoot(config),
        JobsModule.forRoot(config),
        HealthModule,
        HealthEndpointModule,
        SchemaModule,
        OutboxModule,
        SettingsModule,
        AuthCoreModule,
        ClientDirectoryModule,
        StorageModule,
        ActiveBackupModule,
        ExtensionsModule.forRoot(extensions ?? loadExtensions(config)),
      ],
    };
  }
}
