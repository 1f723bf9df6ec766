import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ErrorData } from '@hivebase/contracts';
import { badRequest } from '@hivebase/platform';
import { type ReadonlySettings } from '@hivebase/runtime';
import { S3StorageDriver } from '@hivebase/storage';

const FAILED = 'Failed to test the S3 filesystem.';

/**
 * PocketBase's `POST /api/settings/test/s3`: `{filesystem: "storage" | "backups"}` picks
 * `s3` or `backups.s3`; a test file is uploaded and its prefix deleted (so listing and deleting
 * work too). A failure is a 400 with the raw error in the message, as PocketBase answers.
 */
export async function testS3Filesystem(settings: ReadonlySettings, body: unknown): Promise<void> {
  const filesystem =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).filesystem : undefined;
  const errors: ErrorData = {};
  if (filesystem === undefined || filesystem === null || filesystem === '') {
    errors.filesystem = { code: 'validation_required', message: 'Cannot be blank.' };
  } else if (filesystem !== 'storage' && filesystem !== 'backups') {
    errors.filesystem = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
  }
  if (Object.keys(errors).length > 0) throw badRequest(FAILED, errors);
  const config = filesystem === 'backups' ? settings.backups.s3 : settings.s3;
  const raw = (message: string) => badRequest(`${FAILED} Raw error: \n${message}`);
  if (!config.enabled) throw raw('S3 storage filesystem is not enabled');
  const prefix = `pb_settings_test_${randomBytes(4).toString('hex').slice(0, 5)}/`;
  try {
    const driver = new S3StorageDriver(config);
    await driver.put(`${prefix}test.txt`, Readable.from([Buffer.from('test')]), { contentType: 'text/plain', size: 4 });
    await driver.deletePrefix(prefix);
  } catch (error) {
    throw raw(error instanceof Error ? error.message : String(error));
  }
}
