import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { HookError } from './extension-api';
import { extensionFilesOf, loadExtensionsDir } from './extension-loader';
import { ExtensionLoadError, ExtensionRegistry } from './extension-registry';

const dirs: string[] = [];
function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'hb-loader-'));
  dirs.push(dir);
  for (const [name, source] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), source);
  }
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function loadError(dir: string, typeCheck = true): string {
  try {
    loadExtensionsDir(dir, { typeCheck });
  } catch (error) {
    expect(error).toBeInstanceOf(ExtensionLoadError);
    return (error as Error).message;
  }
  throw new Error('expected the load to fail');
}

// A type check builds a TypeScript program with Node's typings: seconds on a busy machine.
describe('loadExtensionsDir', { timeout: 60_000 }, () => {
  it('finds nothing in a missing directory, and only top-level modules in order', () => {
    expect(loadExtensionsDir(join(tmpdir(), 'hb-no-such-dir'))).toEqual([]);
    const dir = dirWith({
      'b.ts': '',
      'a.js': '',
      'types.d.ts': '',
      'a.test.ts': '',
      '_helper.ts': '',
      'README.md': '',
    });
    expect(extensionFilesOf(dir).map((file) => file.slice(dir.length + 1))).toEqual(['a.js', 'b.ts']);
  });

  it('runs TypeScript with `hivebase` as the server API and relative TypeScript imports', () => {
    const dir = dirWith({
      'main.ts': [
        "import { defineExtension, HookError } from 'hivebase';",
        "import { label } from './lib/label';",
        'export const Refusal = HookError;',
        "export default defineExtension({ name: label('main'), hooks: { onRecordCreate: (e) => e.next() } });",
      ].join('\n'),
      'lib/label.ts': "export const label = (name: string): string => 'ext:' + name;",
    });
    const [loaded] = loadExtensionsDir(dir);
    expect(loaded.extension.name).toBe('ext:main');
    expect(loaded.source).toMatch(/main\.ts$/);
    expect(new ExtensionRegistry([loaded]).hooksAny('onRecordCreate')).toBe(true);
  });

  it('shares the error classes with the server (a HookError from an extension is the server’s HookError)', () => {
    const dir = dirWith({
      'x.js': "const { HookError } = require('hivebase'); module.exports = { name: 'x', hooks: {}, error: HookError };",
    });
    const [loaded] = loadExtensionsDir(dir);
    expect((loaded.extension as unknown as { error: unknown }).error).toBe(HookError);
  });

  it('stops on a syntax error with the file, line and column', () => {
    const dir = dirWith({ 'broken.ts': 'export default {\n  hooks: {\n    onRecordCreate: (e) => e.next(\n};\n' });
    expect(loadError(dir, false)).toMatch(/^extension syntax error:\n.*broken\.ts:4:1: /);
    expect(loadError(dir, true)).toMatch(/^extension syntax error:\n.*broken\.ts:4:1: /);
  });

  it('stops on a type error with the file and line', () => {
    const dir = dirWith({
      'typed.ts': [
        "import { defineExtension } from 'hivebase';",
        'export default defineExtension({',
        '  hooks: { onRecordCreate: async (e) => { e.record.id = 1; e.nope(); await e.next(); } },',
        '});',
      ].join('\n'),
    });
    expect(loadError(dir)).toMatch(/^extension type error:\n.*typed\.ts:3:\d+: Property 'nope' does not exist/);
  });

  it('refuses a misspelt hook through the types too (before anything runs)', () => {
    const dir = dirWith({
      'typo.ts':
        "import { defineExtension } from 'hivebase';\nexport default defineExtension({ hooks: { onRecordCreated: () => {} } });\n",
    });
    expect(loadError(dir)).toContain("'onRecordCreated' does not exist");
  });

  it('names the file when a module throws while loading or exports nothing', () => {
    expect(loadError(dirWith({ 'boom.js': "throw new Error('no config');" }), false)).toMatch(
      /boom\.js: failed while loading: no config/,
    );
    expect(loadError(dirWith({ 'empty.ts': 'export {};' }), false)).toMatch(/empty\.ts: exports no extension/);
  });
});
