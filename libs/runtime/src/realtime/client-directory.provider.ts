import { randomUUID } from 'node:crypto';
import type { BaseConfig } from '@hivebase/platform';
import { APP_CONFIG, connectRedis } from '@hivebase/platform';
import { Global, Inject, Logger, Module, type OnApplicationShutdown } from '@nestjs/common';
import { type ClientDirectory, InProcessClientDirectory, RedisClientDirectory } from './client-directory';

export const CLIENT_DIRECTORY = Symbol('CLIENT_DIRECTORY');

/** The realtime client directory for the process's shape: Redis when distributed, in-process when standalone. */
export function createClientDirectory(config: BaseConfig): ClientDirectory {
  const replicaId = randomUUID();
  if (config.mode !== 'distributed') return new InProcessClientDirectory(replicaId);
  const logger = new Logger('RealtimeDirectory');
  return new RedisClientDirectory(
    () => connectRedis(config.redisUrl, { role: 'realtime-directory', logger }),
    replicaId,
    `${config.redisPrefix}:`,
    logger,
  );
}

/**
 * One directory per process, shared by every module in it: in standalone the auth module's
 * `/api/oauth2-redirect` must see the clients the realtime module holds.
 */
@Global()
@Module({
  providers: [{ provide: CLIENT_DIRECTORY, inject: [APP_CONFIG], useFactory: createClientDirectory }],
  exports: [CLIENT_DIRECTORY],
})
export class ClientDirectoryModule implements OnApplicationShutdown {
  constructor(@Inject(CLIENT_DIRECTORY) private readonly directory: ClientDirectory) {}

  async onApplicationShutdown(): Promise<void> {
    await this.directory.close();
  }
}
