// Shared Vitest settings: every package's vitest.config.mts calls `packageTestConfig`.
// SWC compiles the tests so Nest's decorator metadata exists, as in the built output.
import { readFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import swc from 'unplugin-swc';
import { defineConfig, type ViteUserConfig } from 'vitest/config';

const root = dirname(fileURLToPath(import.meta.url));

/** The tsconfig path aliases, so tests run against sources, not built output. */
function workspaceAliases(): { find: RegExp; replacement: string }[] {
  const tsconfig = JSON.parse(readFileSync(resolve(root, 'tsconfig.base.json'), 'utf8'));
  const paths: Record<string, string[]> = tsconfig.compilerOptions.paths;
  // Exact matches, so `@hivebase/platform` does not swallow `@hivebase/platform/testing`.
  return Object.entries(paths).map(([name, [target]]) => ({
    find: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`),
    replacement: resolve(root, target),
  }));
}

export function packageTestConfig(packageDir: string, overrides: ViteUserConfig['test'] = {}): ViteUserConfig {
  return defineConfig({
    plugins: [swc.vite({ swcrc: false, configFile: resolve(root, '.swcrc'), module: { type: 'es6' } })],
    resolve: { alias: workspaceAliases() },
    test: {
      name: basename(packageDir),
      root: packageDir,
      include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
      globalSetup: [resolve(root, 'libs/platform/src/testing/global-setup.ts')],
      testTimeout: 30_000,
      hookTimeout: 60_000,
      ...overrides,
    },
  });
}
