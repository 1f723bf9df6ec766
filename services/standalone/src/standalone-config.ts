import { type BaseConfig, baseConfigSchema, loadConfig } from '@hivebase/server';

export interface ServeFlags {
  http?: string;
  dir?: string;
}

/** The environment's config with `serve`'s flags taking precedence, as PocketBase's do. */
export function standaloneConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return loadConfig(baseConfigSchema, {
    ...env,
    ...(flags.http ? { HB_HTTP: flags.http } : {}),
    ...(flags.dir ? { HB_DIR: flags.dir } : {}),
  });
}
