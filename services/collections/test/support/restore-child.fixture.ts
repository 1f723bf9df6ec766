import { appendFileSync } from 'node:fs';
import { LocalStorageDriver } from '@hivebase/storage';
import pg from 'pg';
import { it } from 'vitest';
import { restoreBackup } from '../../src/backups/backup-restore';

// The process test/backup-restore-kill.test.ts starts (through vitest.restore-child.config.mts)
// and kills: it restores a backup, reports each step to a marker file, and holds still at one
// step, mid-transaction, so the parent can SIGKILL it there.

const env = (name: string): string => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is unset`);
  return value;
};

it('restores a backup until killed', async () => {
  const marker = env('HB_CHILD_MARKER');
  const pauseAt = env('HB_CHILD_PAUSE_AT');
  const pool = new pg.Pool({ connectionString: env('HB_CHILD_DATABASE_URL'), application_name: 'hb-restore-child' });
  appendFileSync(marker, `pid ${process.pid}\n`);
  try {
    await restoreBackup({
      pool,
      files: new LocalStorageDriver(env('HB_CHILD_STORAGE')),
      archivePath: env('HB_CHILD_ARCHIVE'),
      onStep: (step) => {
        appendFileSync(marker, `${step}\n`);
        // Blocks the whole process with the restore's transaction open (tables dropped, rows half copied).
        if (step === pauseAt) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 60_000);
      },
    });
    appendFileSync(marker, 'finished\n');
  } finally {
    await pool.end();
  }
});
