import { randomUUID } from 'node:crypto';
import { APP_CONFIG, type BaseConfig, connectRedis } from '@hivebase/server';
import { Logger, type Provider } from '@nestjs/common';
import { type ClientDirectory, InProcessClientDirectory, RedisClientDirectory } from './client-directory';
import { REALTIME_CONFIG, type RealtimeConfig } from './realtime.config';

export const CLIENT_DIRECTORY = Symbol('CLIENT_DIRECTORY');

/** Entries outlive the longest stream a little, so a live client is never missing. */
const ENTRY_MARGIN_MS = 60_000;

/** The directory for the process's shape: Redis when distributed, in-process when standalone. */
export const clientDirectoryProvider: Provider = {
  provide: CLIENT_DIRECTORY,
  inject: [APP_CONFIG, REALTIME_CONFIG],
  useFactory: async (config: BaseConfig, realtime: RealtimeConfig): Promise<ClientDirectory> => {
    const replicaId = randomUUID();
    if (config.mode !== 'distributed') return new InProcessClientDirectory(replicaId);
    const logger = new Logger('RealtimeDirectory');
    const redis = await connectRedis(config.redisUrl, { role: 'realtime', logger });
    const directory = new RedisClientDirectory(
      redis,
      replicaId,
      `${config.redisPrefix}:`,
      realtime.maxLifetimeMs + ENTRY_MARGIN_MS,
      logger,
    );
    await directory.start();
    return directory;
  },
};
