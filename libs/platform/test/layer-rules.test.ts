import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The repository-wide import rules (`.dependency-cruiser.cjs`, run by `npm run lint`) checked on a
// miniature of the repository's layout: each forbidden import must be reported under its rule,
// each allowed one must pass. Platform hosts this test as the package of build-wide plumbing.

// Vitest runs each package's tests from the package's directory.
const ROOT = resolve(process.cwd(), '../..');
const DEPCRUISE = join(ROOT, 'node_modules/.bin/depcruise');
const LIBS = ['contracts', 'schema', 'filter', 'records', 'storage', 'platform', 'runtime'];
const SERVICES = ['gateway', 'collections', 'auth', 'files', 'realtime', 'standalone'];

interface Probe {
  file: string;
  imports: string;
  /** A rule that must report it (others may too); undefined when the import is allowed. */
  rule?: string;
}

const PROBES: Probe[] = [
  { file: 'libs/contracts/src/probe.ts', imports: '../../schema/src/index', rule: 'layer-contracts' },
  { file: 'libs/schema/src/probe.ts', imports: '@hivebase/filter', rule: 'layer-schema' },
  { file: 'libs/filter/src/probe.ts', imports: '@hivebase/records', rule: 'layer-filter' },
  { file: 'libs/records/src/probe.ts', imports: '@hivebase/runtime', rule: 'layer-records' },
  { file: 'libs/storage/src/probe.ts', imports: '@hivebase/platform', rule: 'layer-storage' },
  { file: 'libs/platform/src/probe.ts', imports: '@hivebase/records', rule: 'layer-platform' },
  { file: 'libs/runtime/src/probe.ts', imports: '@hivebase/auth', rule: 'layer-runtime' },
  { file: 'libs/records/src/helpers.ts', imports: '@hivebase/platform/testing', rule: 'layer-records' },
  { file: 'libs/schema/test/probe.test.ts', imports: '@hivebase/platform', rule: 'layer-schema' },
  { file: 'services/gateway/src/probe.ts', imports: '@hivebase/runtime', rule: 'gateway-platform-only' },
  { file: 'services/auth/src/probe.ts', imports: '@hivebase/collections', rule: 'no-service-to-service' },
  { file: 'services/files/src/probe.ts', imports: '../../realtime/src/index', rule: 'no-service-to-service' },
  {
    file: 'services/collections/test/probe.test.ts',
    imports: '../../auth/test/support/helper',
    rule: 'no-foreign-test-folder',
  },
  {
    file: 'libs/records/test/probe.test.ts',
    imports: '../../filter/test/support/helper',
    rule: 'no-foreign-test-folder',
  },
  { file: 'e2e/src/probe.ts', imports: '../../services/auth/test/support/helper', rule: 'no-test-folder-from-outside' },
  // Allowed: the layers as drawn, standalone composing services, a package's own test folder.
  { file: 'libs/runtime/src/allowed.ts', imports: '@hivebase/records' },
  { file: 'libs/runtime/src/allowed-platform.ts', imports: '@hivebase/platform' },
  { file: 'libs/records/src/allowed.ts', imports: '@hivebase/filter' },
  { file: 'services/gateway/src/allowed.ts', imports: '@hivebase/platform' },
  { file: 'services/collections/src/allowed.ts', imports: '@hivebase/runtime' },
  { file: 'services/standalone/src/allowed.ts', imports: '@hivebase/auth' },
  { file: 'services/auth/test/allowed.test.ts', imports: './support/helper' },
  { file: 'libs/records/test/allowed.test.ts', imports: '@hivebase/platform/testing' },
  { file: 'libs/schema/src/allowed.test.ts', imports: '@hivebase/platform/testing' },
  { file: 'e2e/src/allowed.ts', imports: '@hivebase/standalone' },
];

interface Violation {
  from: string;
  to: string;
  rule: { name: string };
}

let dir: string;
let violations: Violation[];

async function put(file: string, text: string): Promise<void> {
  await mkdir(dirname(join(dir, file)), { recursive: true });
  await writeFile(join(dir, file), text);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'hb-layers-'));
  const paths: Record<string, string[]> = {};
  for (const lib of LIBS) {
    paths[`@hivebase/${lib}`] = [`libs/${lib}/src/index.ts`];
    await put(`libs/${lib}/src/index.ts`, 'export const here = 1;\n');
    await put(`libs/${lib}/test/support/helper.ts`, 'export const helper = 1;\n');
  }
  for (const service of SERVICES) {
    paths[`@hivebase/${service}`] = [`services/${service}/src/index.ts`];
    await put(`services/${service}/src/index.ts`, 'export const here = 1;\n');
    await put(`services/${service}/test/support/helper.ts`, 'export const helper = 1;\n');
  }
  paths['@hivebase/platform/testing'] = ['libs/platform/src/testing/index.ts'];
  await put('libs/platform/src/testing/index.ts', 'export const here = 1;\n');
  await put('tsconfig.base.json', JSON.stringify({ compilerOptions: { baseUrl: '.', paths } }));
  for (const probe of PROBES) await put(probe.file, `import { here } from '${probe.imports}';\nexport { here };\n`);
  // Exits non-zero when it finds violations; the JSON report says which.
  const { stdout } = await promisify(execFile)(
    DEPCRUISE,
    ['--config', join(ROOT, '.dependency-cruiser.cjs'), '--output-type', 'json', 'libs', 'services', 'e2e'],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  ).catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
  violations = JSON.parse(stdout).summary.violations;
}, 60_000);

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('layer rules', () => {
  it.each(PROBES.filter((probe) => probe.rule))('$file importing $imports breaks $rule', (probe) => {
    const found = violations.filter((violation) => violation.from === probe.file);
    expect(found.map((violation) => violation.rule.name)).toContain(probe.rule);
  });

  it.each(PROBES.filter((probe) => !probe.rule))('$file importing $imports is allowed', (probe) => {
    expect(violations.filter((violation) => violation.from === probe.file)).toEqual([]);
  });

  it('fails the lint command on a forbidden import', async () => {
    const run = promisify(execFile)(DEPCRUISE, ['--config', join(ROOT, '.dependency-cruiser.cjs'), 'libs/platform'], {
      cwd: dir,
    });
    await expect(run).rejects.toMatchObject({ code: 1 });
  });
});
