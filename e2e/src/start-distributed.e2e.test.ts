import { createServer } from 'node:net';
import { testPostgresUrl, withDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import PocketBase from 'pocketbase';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, start, waitForHealthy } from './support/boot-shape';

function isFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const server = createServer();
    server.once('error', () => done(false));
    server.listen(port, '127.0.0.1', () => server.close(() => done(true)));
  });
}

/** A gateway port whose next four ports are free too (the launcher's layout). */
async function freePortRun(): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 40_000);
    const free = await Promise.all([0, 1, 2, 3, 4].map((offset) => isFree(base + offset)));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no run of five free ports');
}

// `npm run start:distributed` is `hivebase start-distributed`.
describe('hivebase start-distributed', () => {
  const database = `hb_test_launch_${process.pid}_${Date.now()}`;
  afterAll(async () => {
    const client = new pg.Client({ connectionString: testPostgresUrl() });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    await client.end();
  });

  it('creates its database, serves health through the gateway, and stops every service on Ctrl-C', async () => {
    const port = await freePortRun();
    const launcher = start('start-distributed', [CLI, 'start-distributed', '--port', String(port)], {
      ...process.env,
      DATABASE_URL: withDatabase(testPostgresUrl(), database),
    });
    const exited = new Promise<number | null>((done) => launcher.child.once('exit', done));
    try {
      await waitForHealthy(`http://127.0.0.1:${port}/api/health`, [launcher]);
      expect(await new PocketBase(`http://127.0.0.1:${port}`).health.check()).toMatchObject({ code: 200 });
    } finally {
      launcher.child.kill('SIGINT');
    }
    expect(await exited).toBe(0);
    const stillListening = await Promise.all([0, 1, 2, 3, 4].map((offset) => isFree(port + offset)));
    expect(stillListening).toEqual([true, true, true, true, true]);
  });
});
