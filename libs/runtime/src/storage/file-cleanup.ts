import { createHash } from 'node:crypto';
import { JOB_QUEUE, type JobQueue } from '@hivebase/platform';
import { collectionPrefix, recordFileKey, recordPrefix, type StorageDriver, thumbsPrefix } from '@hivebase/storage';
import { Inject, Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { STORAGE_DRIVER } from './storage-driver.token';

/** Job name: stored files to remove once the write that dropped them has committed. */
export const FILE_CLEANUP_JOB = 'file-cleanup';

/**
 * What a cleanup job removes: the named files (with their thumbs) of one record, every file of
 * the listed records, or, with neither, the whole collection's directory. Ids and names go
 * through `object-keys.ts` in the handler, so a job cannot reach outside its collection.
 */
export interface FileCleanup {
  collectionId: string;
  recordIds?: string[];
  /** Only with exactly one record id. */
  names?: string[];
}

/** Tries per cleanup: with a 1 s first backoff doubled each time, the last is ~15 s after the first. */
export const FILE_CLEANUP_ATTEMPTS = 5;
export const FILE_CLEANUP_BACKOFF_MS = 1_000;

/**
 * Queues a cleanup. The job id is the content's hash, so the same cleanup queued twice while
 * pending runs once; running one twice is harmless anyway (a missing object is no error).
 */
export async function enqueueFileCleanup(queue: JobQueue, cleanup: FileCleanup): Promise<void> {
  const digest = createHash('sha256').update(JSON.stringify(cleanup)).digest('hex').slice(0, 32);
  await queue.enqueue<FileCleanup>(FILE_CLEANUP_JOB, cleanup, {
    jobId: `${FILE_CLEANUP_JOB}-${digest}`,
    attempts: FILE_CLEANUP_ATTEMPTS,
    backoffMs: FILE_CLEANUP_BACKOFF_MS,
  });
}

/** Removes what one cleanup names; throws on a storage failure, so the queue retries it. */
export async function runFileCleanup(driver: StorageDriver, cleanup: FileCleanup): Promise<void> {
  const { collectionId, recordIds, names } = cleanup;
  if (!recordIds) {
    await driver.deletePrefix(collectionPrefix(collectionId));
    return;
  }
  if (names) {
    const [recordId] = recordIds;
    if (recordIds.length !== 1 || recordId === undefined) throw new Error('file names need exactly one record');
    for (const name of names) {
      await driver.delete(recordFileKey(collectionId, recordId, name));
      await driver.deletePrefix(thumbsPrefix(collectionId, recordId, name));
    }
    return;
  }
  for (const recordId of recordIds) await driver.deletePrefix(recordPrefix(collectionId, recordId));
}

/**
 * Runs `FILE_CLEANUP_JOB` in this process. Imported by the services that share the stored files
 * (collections writes them, files serves them); in standalone both are one process and Nest
 * makes one instance, so the job gets one handler.
 */
@Injectable()
export class FileCleanupWorker implements OnModuleInit {
  private readonly logger = new Logger('FileCleanup');

  constructor(
    @Inject(JOB_QUEUE) private readonly queue: JobQueue,
    @Inject(STORAGE_DRIVER) private readonly driver: StorageDriver,
  ) {}

  onModuleInit(): void {
    this.queue.register<FileCleanup>(FILE_CLEANUP_JOB, async (cleanup, { jobId }) => {
      await runFileCleanup(this.driver, cleanup);
      this.logger.debug({ msg: 'stored files removed', jobId, ...cleanup });
    });
  }
}

/** Runs the file cleanup job here (see `FileCleanupWorker`). */
@Module({ providers: [FileCleanupWorker] })
export class FileCleanupModule {}
