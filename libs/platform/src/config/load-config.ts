import { z } from 'zod';
import { ENV_NAMES } from './config.schema';

/** Thrown at boot when the environment does not describe a valid configuration. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

type ConfigKey = keyof typeof ENV_NAMES;

/**
 * Validates the environment against `schema` and returns the typed config. Empty variables
 * count as unset. Every problem names the environment variable to fix.
 */
export function loadConfig<Schema extends z.ZodObject>(
  schema: Schema,
  env: NodeJS.ProcessEnv = process.env,
): z.infer<Schema> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(schema.shape) as ConfigKey[]) {
    const value = env[ENV_NAMES[key]];
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => {
      const key = issue.path[0] as ConfigKey;
      const value = input[key];
      return `${ENV_NAMES[key] ?? String(key)}${value === undefined ? '' : `="${value}"`}: ${issue.message}`;
    }),
  );
}
