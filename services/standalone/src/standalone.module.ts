import { AuthModule } from '@hivebase/auth';
import { CollectionsModule } from '@hivebase/collections';
import { FilesModule } from '@hivebase/files';
import { EdgeHooks, EdgeModule } from '@hivebase/gateway';
import { type BaseConfig } from '@hivebase/platform';
import { RealtimeModule } from '@hivebase/realtime';
import { CoreModule, type ExtensionRegistry } from '@hivebase/runtime';
import { type DynamicModule, Module } from '@nestjs/common';

/** Every service's module in one process, with in-process bus and jobs (mode `standalone`). */
@Module({})
export class StandaloneModule {
  static forRoot(
    config: BaseConfig & { databaseUrl: string },
    edge: EdgeHooks = new EdgeHooks(),
    extensions?: ExtensionRegistry,
  ): DynamicModule {
    return {
      module: StandaloneModule,
      imports: [
        CoreModule.forRoot({ name: 'hivebase', config, extensions }),
        CollectionsModule,
        AuthModule,
        FilesModule,
        RealtimeModule,
        // The gateway's request logs and rate limits, in this process (its hooks: `serve.ts`).
        EdgeModule.forRoot(edge),
      ],
    };
  }
}
