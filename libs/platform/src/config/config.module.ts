import { type DynamicModule, Global, Module } from '@nestjs/common';
import type { BaseConfig } from './config.schema';

/** Injection token of the validated config object. */
export const APP_CONFIG = Symbol('APP_CONFIG');

/** Makes the config validated at boot injectable everywhere (`@Inject(APP_CONFIG)`). */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: BaseConfig): DynamicModule {
    return { module: ConfigModule, providers: [{ provide: APP_CONFIG, useValue: config }], exports: [APP_CONFIG] };
  }
}
