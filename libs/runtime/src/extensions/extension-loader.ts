import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import Module from 'node:module';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import type * as TypeScript from 'typescript';
import type { Extension } from './extension-api';
import * as extensionApi from './extension-api';
import { ExtensionLoadError, type LoadedExtension } from './extension-registry';

export interface LoadExtensionsOptions {
  /** Type-check `.ts` extensions against the `hivebase` types before running them (default true). */
  typeCheck?: boolean;
}

// The compiler is large: a process loads it only when it has extensions to compile.
let compiler: typeof TypeScript | undefined;
const typescript = (): typeof TypeScript => {
  compiler ??= require('typescript') as typeof TypeScript;
  return compiler;
};

const EXTENSION_FILE = /^[^._].*\.(ts|js|cts|cjs)$/;
const isExtensionFile = (name: string) => EXTENSION_FILE.test(name) && !/\.(d|test|spec)\.[cm]?ts$/.test(name);

/** The extension files of `dir` (top level only, sorted: their order is the hooks' order); none if it is missing. */
export function extensionFilesOf(dir: string): string[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) return [];
  return readdirSync(dir)
    .filter(isExtensionFile)
    .sort()
    .map((name) => resolve(dir, name));
}

/**
 * Loads every extension module of `dir`: TypeScript is transpiled by the `typescript` package
 * (a syntax error stops boot with its file and line), `.ts` files are type-checked against the
 * `hivebase` types (a type error does too), then each runs as CommonJS with `hivebase` resolving
 * to the running server's own API.
 */
export function loadExtensionsDir(dir: string, options: LoadExtensionsOptions = {}): LoadedExtension[] {
  const files = extensionFilesOf(dir);
  if (files.length === 0) return [];
  if (options.typeCheck !== false) typeCheck(files.filter((file) => /\.c?ts$/.test(file)));
  const cache = new Map<string, Module>();
  return files.map((file) => ({ source: relativeSource(file), extension: extensionOf(file, loadModule(file, cache)) }));
}

function relativeSource(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : path;
}

function extensionOf(file: string, exported: unknown): Extension {
  const value = exported as { default?: unknown } | null;
  const extension = value && typeof value === 'object' && 'default' in value ? value.default : value;
  if (typeof extension !== 'object' || extension === null || Object.keys(extension).length === 0) {
    throw new ExtensionLoadError(
      `${relativeSource(file)}: exports no extension (export default defineExtension({ hooks, routes, crons }))`,
    );
  }
  return extension as Extension;
}

/** The diagnostic as `file:line:column: message`. */
function describe(diagnostic: TypeScript.Diagnostic): string {
  const ts = typescript();
  const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
  if (!diagnostic.file || diagnostic.start === undefined) return message;
  const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
  return `${relativeSource(diagnostic.file.fileName)}:${line + 1}:${character + 1}: ${message}`;
}

function transpile(file: string): string {
  const ts = typescript();
  const output = ts.transpileModule(readFileSync(file, 'utf8'), {
    fileName: file,
    reportDiagnostics: true,
    compilerOptions: {
      module: ts.ModuleKind.CommonJS,
      target: ts.ScriptTarget.ES2022,
      esModuleInterop: true,
      allowJs: true,
      sourceMap: false,
      inlineSourceMap: true,
    },
  });
  const errors = (output.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new ExtensionLoadError(`extension syntax error:\n${errors.map(describe).join('\n')}`);
  }
  return output.outputText;
}

/** Where the `hivebase` types live: this package's sources (kept beside its build). */
function apiTypesFile(): string | null {
  const candidates = [
    resolve(__dirname, 'extension-api.ts'),
    resolve(__dirname, '../../src/extensions/extension-api.ts'),
  ];
  return candidates.find((file) => existsSync(file)) ?? null;
}

function contractsTypesFile(): string | null {
  try {
    const file = join(dirname(require.resolve('@hivebase/contracts/package.json')), 'src/index.ts');
    return existsSync(file) ? file : null;
  } catch {
    return null;
  }
}

function typeCheck(files: string[]): void {
  if (files.length === 0) return;
  const api = apiTypesFile();
  const contracts = contractsTypesFile();
  if (!api || !contracts) return;
  const ts = typescript();
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    esModuleInterop: true,
    allowJs: false,
    types: ['node'],
    typeRoots: [join(dirname(require.resolve('typescript/package.json')), '../@types')],
    baseUrl: '/',
    paths: { hivebase: [api], '@hivebase/contracts': [contracts] },
  });
  // The extensions' own files (helpers they import included), not the typings they use.
  const dir = `${dirname(files[0])}${sep}`;
  const ours = (diagnostics: readonly TypeScript.Diagnostic[]) =>
    diagnostics.filter(
      (d) => d.category === ts.DiagnosticCategory.Error && (!d.file || resolve(d.file.fileName).startsWith(dir)),
    );
  const report = (kind: string, errors: TypeScript.Diagnostic[]) => {
    if (errors.length === 0) return;
    const shown = errors.slice(0, 10).map(describe);
    if (errors.length > 10) shown.push(`… and ${errors.length - 10} more`);
    throw new ExtensionLoadError(`extension ${kind} error:\n${shown.join('\n')}`);
  };
  // A syntax error is reported as one (with its own message) before any type error it causes.
  report('syntax', ours(program.getSyntacticDiagnostics()));
  report('type', ours(ts.getPreEmitDiagnostics(program)));
}

type NodeModule = Module & {
  _compile(code: string, filename: string): void;
  paths: string[];
};
const ModuleWithInternals = Module as unknown as typeof Module & { _nodeModulePaths(dir: string): string[] };

/** Runs one module (TypeScript transpiled first); `hivebase` and relative `.ts` imports resolve here. */
function loadModule(file: string, cache: Map<string, Module>): unknown {
  const cached = cache.get(file);
  if (cached) return cached.exports;
  const code = extname(file) === '.json' ? `module.exports = ${readFileSync(file, 'utf8')}` : transpile(file);
  const mod = new Module(file) as NodeModule;
  mod.filename = file;
  mod.paths = ModuleWithInternals._nodeModulePaths(dirname(file));
  cache.set(file, mod);
  const nodeRequire = mod.require.bind(mod);
  mod.require = Object.assign(
    (id: string): unknown => {
      if (id === 'hivebase') return extensionApi;
      if (id.startsWith('.')) {
        const local = localFile(resolve(dirname(file), id));
        if (local) return loadModule(local, cache);
      }
      return nodeRequire(id);
    },
    { resolve: require.resolve, cache: require.cache, main: require.main, extensions: require.extensions },
  ) as NodeJS.Require;
  try {
    mod._compile(code, file);
  } catch (error) {
    if (error instanceof ExtensionLoadError) throw error;
    cache.delete(file);
    throw new ExtensionLoadError(`${relativeSource(file)}: failed while loading: ${firstLine(error)}`);
  }
  mod.loaded = true;
  return mod.exports;
}

/** A relative import that names one of the extension directory's TypeScript or JavaScript files. */
function localFile(base: string): string | null {
  const candidates = [base, `${base}.ts`, `${base}.js`, join(base, 'index.ts'), join(base, 'index.js')];
  return candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile()) ?? null;
}

function firstLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const where = error.stack?.split('\n').find((line) => line.includes('    at '));
  return `${error.message}${where ? ` (${where.trim()})` : ''}`;
}
