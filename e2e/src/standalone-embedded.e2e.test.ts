import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { bootStandalone, CLI, start } from './support/boot-shape';

// The first-five-minutes path: no DATABASE_URL, so Hivebase runs its own Postgres under --dir.
describe('standalone with embedded Postgres', () => {
  let dir: string;
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('starts with nothing configured, serves health, and stops its Postgres on exit', async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-e2e-embedded-'));
    const running = await bootStandalone({ dir });
    expect(await new PocketBase(running.baseUrl).health.check()).toMatchObject({ code: 200 });
    expect(existsSync(join(dir, 'postgres', 'PG_VERSION'))).toBe(true);
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(true);

    expect(await running.processes.standalone.stop()).toBe(0);
    // A clean Postgres shutdown removes its pid file.
    expect(existsSync(join(dir, 'postgres', 'postmaster.pid'))).toBe(false);
  });

  it('migrates the same data directory again with `hivebase migrate` (nothing left to apply)', async () => {
    const migrate = start('migrate', [CLI, 'migrate', '--dir', dir], { ...process.env, DATABASE_URL: '' });
    expect(await new Promise((done) => migrate.child.once('exit', done))).toBe(0);
    expect(migrate.output()).toContain('no pending migrations');
  });
});
