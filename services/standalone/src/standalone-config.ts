import { type BaseConfig, baseConfigSchema, loadConfig } from '@hivebase/platform';

export interface ServeFlags {
  http?: string;
  dir?: string;
  hooksDir?: string;
}

/** The environment's config with `serve`'s flags taking precedence, as PocketBase's do. */
export function standaloneConfig(flags: ServeFlags, env: NodeJS.ProcessEnv = process.env): BaseConfig {
  return loadConfig(baseConfigSchema, {
    ...env,
    ...(flags.http ? { HB_HTTP: flags.http } : {}),
    ...(flags.dir ? { HB_DIR: flags.dir } : {}),
    ...(flags.hooksDir ? { HB_HOOKS_DIR: flags.hooksDir } : {}),
  });
}

/**
 * `serve`'s environment with LOG_PRETTY defaulting to whether stdout is a terminal: human lines
 * for a person watching, JSON lines for log collectors and pipes. An explicit LOG_PRETTY wins.
 */
export function withTerminalDefaults(env: NodeJS.ProcessEnv, stdoutIsTerminal: boolean): NodeJS.ProcessEnv {
  return env.LOG_PRETTY ? env : { ...env, LOG_PRETTY: String(stdoutIsTerminal) };
}
