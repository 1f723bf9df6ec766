import { resolve } from 'node:path';
import type { BaseConfig } from '@hivebase/platform';
import { type DynamicModule, Global, Inject, Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { loadExtensionsDir } from './extension-loader';
import { ExtensionRegistry, type LoadedExtension } from './extension-registry';

/** The extension directory of `config`: `HB_HOOKS_DIR`, else `hb_hooks` beside the data directory (as PocketBase's pb_hooks). */
export function hooksDirOf(config: Pick<BaseConfig, 'hooksDir' | 'dataDir'>): string {
  return resolve(config.hooksDir ?? resolve(config.dataDir, '..', 'hb_hooks'));
}

/**
 * Loads `config`'s extension directory (and adds `extensions` passed in code). Synchronous and
 * throwing: a bad extension stops boot before anything listens.
 */
export function loadExtensions(
  config: Pick<BaseConfig, 'hooksDir' | 'dataDir' | 'hooksTypeCheck'>,
  extensions: readonly LoadedExtension[] = [],
): ExtensionRegistry {
  const loaded = [...extensions, ...loadExtensionsDir(hooksDirOf(config), { typeCheck: config.hooksTypeCheck })];
  return new ExtensionRegistry(loaded);
}

/** Logs which extensions this process runs (once the app's logger is in place). */
@Injectable()
class ExtensionsAnnouncer implements OnModuleInit {
  constructor(@Inject(ExtensionRegistry) private readonly registry: ExtensionRegistry) {}

  onModuleInit(): void {
    if (this.registry.sources.length === 0) return;
    new Logger('extensions').log({ msg: 'extensions loaded', extensions: this.registry.sources });
  }
}

/** Every process hosting services holds the same extensions; each service runs the hooks it hosts. */
@Global()
@Module({})
export class ExtensionsModule {
  static forRoot(registry: ExtensionRegistry): DynamicModule {
    return {
      module: ExtensionsModule,
      providers: [{ provide: ExtensionRegistry, useValue: registry }, ExtensionsAnnouncer],
      exports: [ExtensionRegistry],
    };
  }
}
