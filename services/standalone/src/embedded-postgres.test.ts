import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runningEmbeddedPostgres } from './embedded-postgres';

// postmaster.pid as Postgres writes it: pid, data directory, start time, port, socket directory,
// listen address, shared memory key, status.
const pidFile = (pid: number, port: number) =>
  `${pid}\n/data/postgres\n1796586497\n${port}\n\n127.0.0.1\n  1234567     98304\nready   \n`;

describe('runningEmbeddedPostgres', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-pidfile-'));
    await mkdir(join(dir, 'postgres'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is null when no Postgres has the directory', async () => {
    expect(await runningEmbeddedPostgres(dir)).toBeNull();
  });

  it("reads a live server's pid and port from its postmaster.pid", async () => {
    await writeFile(join(dir, 'postgres', 'postmaster.pid'), pidFile(process.pid, 45678));
    expect(await runningEmbeddedPostgres(dir)).toEqual({ pid: process.pid, port: 45678 });
  });

  it('ignores the leftover of a crashed server (its pid is gone) and a garbled file', async () => {
    await writeFile(join(dir, 'postgres', 'postmaster.pid'), pidFile(2 ** 22 + 1, 45678));
    expect(await runningEmbeddedPostgres(dir)).toBeNull();
    await writeFile(join(dir, 'postgres', 'postmaster.pid'), 'not a pid file');
    expect(await runningEmbeddedPostgres(dir)).toBeNull();
  });
});
