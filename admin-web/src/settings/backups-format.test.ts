import { describe, expect, it } from 'vitest';
import { formatFileSize, newestFirst, toBackupsBody, toBackupsForm } from './backups-format';

describe('formatFileSize', () => {
  it.each([
    [0, '0 B'],
    [-5, '0 B'],
    [Number.NaN, '0 B'],
    [1, '1 B'],
    [1023, '1023 B'],
    [1024, '1 KB'],
    [1536, '1.5 KB'],
    [5 * 1024 * 1024 + 12345, '5.01 MB'],
    [3 * 1024 ** 3, '3 GB'],
    [2 * 1024 ** 5, '2048 TB'],
  ])('%s bytes → %s', (bytes, shown) => {
    expect(formatFileSize(bytes)).toBe(shown);
  });
});

describe('newestFirst', () => {
  it('orders by modified descending, then by name, without touching the input', () => {
    const list = [
      { key: 'a.zip', size: 1, modified: '2026-01-01 10:00:00.000Z' },
      { key: 'c.zip', size: 1, modified: '2026-02-01 10:00:00.000Z' },
      { key: 'b.zip', size: 1, modified: '2026-01-01 10:00:00.000Z' },
    ];
    expect(newestFirst(list).map((backup) => backup.key)).toEqual(['c.zip', 'a.zip', 'b.zip']);
    expect(list[0]?.key).toBe('a.zip');
  });
});

describe('backups settings form', () => {
  it('fills what the server left out and keeps what it sent', () => {
    expect(toBackupsForm(undefined)).toEqual({
      cron: '',
      cronMaxKeep: 3,
      s3: { enabled: false, bucket: '', region: '', endpoint: '', accessKey: '', secret: '', forcePathStyle: false },
    });
    const stored = { cron: '0 0 * * *', cronMaxKeep: 5, s3: { enabled: true, bucket: 'b', forcePathStyle: true } };
    expect(toBackupsForm(stored)).toMatchObject({
      cron: '0 0 * * *',
      cronMaxKeep: 5,
      s3: { enabled: true, bucket: 'b' },
    });
  });

  it('leaves a blank secret out of the body (the stored one is kept) and sends a typed one', () => {
    const form = toBackupsForm({ cron: '@daily', cronMaxKeep: 2, s3: { enabled: true, bucket: 'b' } });
    expect(toBackupsBody(form)).toEqual({
      cron: '@daily',
      cronMaxKeep: 2,
      s3: { enabled: true, bucket: 'b', region: '', endpoint: '', accessKey: '', forcePathStyle: false },
    });
    expect(toBackupsBody({ ...form, s3: { ...form.s3, secret: 'typed' } }).s3).toMatchObject({ secret: 'typed' });
  });
});
