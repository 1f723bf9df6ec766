import { toApiError } from '@hivebase/platform';
import { describe, expect, it } from 'vitest';
import { generateBackupName, isBackupKey, snakecase } from './backup-names';
import { BACKUPS_ERRORS, BackupsError, type BackupsErrorCode } from './backups.errors';

describe('BACKUPS_ERRORS', () => {
  it('goes out through the one mapping as PocketBase’s {status, message, data}', () => {
    for (const code of Object.keys(BACKUPS_ERRORS) as BackupsErrorCode[]) {
      const data = { name: { code: 'validation_match_invalid', message: 'Must be in a valid format.' } };
      const { apiError, internal } = toApiError(new BackupsError(code, data));
      expect(internal).toBe(false);
      expect(apiError.toBody()).toEqual({
        status: BACKUPS_ERRORS[code].status,
        message: BACKUPS_ERRORS[code].message.replace(/\{\w+\}/g, ''),
        data,
      });
    }
  });
});

describe('backup names', () => {
  it('generates PocketBase’s names from the app name and the UTC time', () => {
    const at = new Date('2026-12-07T02:03:04.567Z');
    expect(generateBackupName('Acme', 'pb_backup_', at)).toBe('pb_backup_acme_20261207020304.zip');
    expect(generateBackupName('My App v2!', '@auto_pb_backup_', at)).toBe(
      '@auto_pb_backup_my_app_v2_20261207020304.zip',
    );
    expect(snakecase('helloWorldApp')).toBe('hello_world_app');
    expect(generateBackupName('x'.repeat(80), 'p_', at)).toBe(`p_${'x'.repeat(50)}_20261207020304.zip`);
  });

  it('accepts only one safe path part as a key', () => {
    for (const good of ['a.zip', '@test4.zip', 'pb_backup_x_1.zip', 'uploaded'])
      expect(isBackupKey(good), good).toBe(true);
    for (const bad of ['', '.hidden', '../x', 'a/b', 'a\\b', 'a\u0000b', 'line\nbreak', 'x'.repeat(256)]) {
      expect(isBackupKey(bad), JSON.stringify(bad)).toBe(false);
    }
  });
});
