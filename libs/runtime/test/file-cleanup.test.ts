import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { InProcessJobQueue } from '@hivebase/platform';
import { LocalStorageDriver, recordFileKey, type StorageDriver, thumbKey } from '@hivebase/storage';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { enqueueFileCleanup, FILE_CLEANUP_JOB, type FileCleanup, runFileCleanup } from '../src/storage/file-cleanup';

const silent = { log() {}, error() {}, warn() {}, debug() {}, verbose() {} };

describe('file cleanup job', () => {
  let dir: string;
  let local: LocalStorageDriver;
  let queue: InProcessJobQueue;

  const put = (key: string) => local.put(key, Readable.from([Buffer.from(key)]), { contentType: 'text/plain' });
  const stored = async (): Promise<string[]> => [...(await local.list('col/')), ...(await local.list('other/'))];

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hb-cleanup-'));
    local = new LocalStorageDriver(dir);
    queue = new InProcessJobQueue({ logger: silent });
    await put(recordFileKey('col', 'rec1', 'a.txt'));
    await put(thumbKey('col', 'rec1', 'a.txt', '100x100'));
    await put(recordFileKey('col', 'rec1', 'b.txt'));
    await put(recordFileKey('col', 'rec2', 'c.txt'));
    await put(recordFileKey('other', 'rec3', 'd.txt'));
  });

  afterEach(async () => {
    await queue.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('removes named files with their thumbs, whole records, or a whole collection', async () => {
    await runFileCleanup(local, { collectionId: 'col', recordIds: ['rec1'], names: ['a.txt'] });
    expect(await stored()).toEqual(['col/rec1/b.txt', 'col/rec2/c.txt', 'other/rec3/d.txt']);
    expect(await local.stat(thumbKey('col', 'rec1', 'a.txt', '100x100'))).toBeNull();
    // Idempotent: running it again (a retry after a lost acknowledgement) changes nothing.
    await runFileCleanup(local, { collectionId: 'col', recordIds: ['rec1'], names: ['a.txt'] });
    await runFileCleanup(local, { collectionId: 'col', recordIds: ['rec2'] });
    expect(await stored()).toEqual(['col/rec1/b.txt', 'other/rec3/d.txt']);
    await runFileCleanup(local, { collectionId: 'col' });
    expect(await stored()).toEqual(['other/rec3/d.txt']);
  });

  it.each<[string, FileCleanup]>([
    ['a climbing collection id', { collectionId: '..' }],
    ['a climbing record id', { collectionId: 'col', recordIds: ['../other'] }],
    ['a climbing name', { collectionId: 'col', recordIds: ['rec1'], names: ['../../other/rec3/d.txt'] }],
    ['names for two records', { collectionId: 'col', recordIds: ['rec1', 'rec2'], names: ['a.txt'] }],
  ])('refuses %s without touching storage', async (_name, cleanup) => {
    await expect(runFileCleanup(local, cleanup)).rejects.toThrow();
    expect(await stored()).toHaveLength(5);
  });

  it('retries a failed removal through the queue until storage answers', async () => {
    let failuresLeft = 2;
    const flaky: StorageDriver = Object.assign(Object.create(local) as LocalStorageDriver, {
      deletePrefix: async (prefix: string) => {
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          throw new Error('storage unavailable');
        }
        await local.deletePrefix(prefix);
      },
    });
    const attempts: number[] = [];
    queue.register<FileCleanup>(FILE_CLEANUP_JOB, async (cleanup, { attempt }) => {
      attempts.push(attempt);
      await runFileCleanup(flaky, cleanup);
    });
    await queue.start();
    await enqueueFileCleanup(queue, { collectionId: 'col', recordIds: ['rec2'] });
    await vi.waitFor(async () => expect(await stored()).not.toContain('col/rec2/c.txt'), { timeout: 15_000 });
    expect(attempts).toEqual([1, 2, 3]);
  }, 20_000);

  it('queues the same pending cleanup once', async () => {
    const runs: FileCleanup[] = [];
    queue.register<FileCleanup>(FILE_CLEANUP_JOB, async (cleanup) => void runs.push(cleanup));
    const cleanup = { collectionId: 'col', recordIds: ['rec1'], names: ['a.txt'] };
    await enqueueFileCleanup(queue, cleanup);
    await enqueueFileCleanup(queue, { ...cleanup });
    await enqueueFileCleanup(queue, { collectionId: 'col', recordIds: ['rec2'] });
    await queue.start();
    await vi.waitFor(() => expect(runs).toHaveLength(2));
    await queue.close();
    expect(runs).toEqual([cleanup, { collectionId: 'col', recordIds: ['rec2'] }]);
  });
});
