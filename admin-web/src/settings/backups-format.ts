/** One entry of `GET /api/backups` (the SDK does not export its type). */
export interface BackupInfo {
  key: string;
  size: number;
  modified: string;
}

/** The schedules PocketBase's dashboard offers for automatic backups (UTC). */
export const CRON_PRESETS = [
  { cron: '0 0 * * *', label: 'Every day at 00:00h' },
  { cron: '0 0 * * 0', label: 'Every sunday at 00:00h' },
  { cron: '0 0 * * 1,3', label: 'Every Mon and Wed at 00:00h' },
  { cron: '0 0 1 * *', label: 'Every first day of the month at 00:00h' },
] as const;

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `1536` → `1.5 KB` (1024-based, at most two decimals). */
export function formatFileSize(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes <= 0) return '0 B';
  const unit = Math.min(Math.floor(Math.log(bytes) / Math.log(1024)), UNITS.length - 1);
  const value = bytes / 1024 ** unit;
  return `${Number(value.toFixed(unit === 0 ? 0 : 2))} ${UNITS[unit]}`;
}

/** The list as the page shows it: newest first (by `modified`, then by name). */
export function newestFirst(backups: readonly BackupInfo[]): BackupInfo[] {
  return [...backups].sort((a, b) =>
    a.modified === b.modified ? a.key.localeCompare(b.key) : a.modified < b.modified ? 1 : -1,
  );
}

/** The S3 settings of `backups.s3` as the form edits them; the secret is never sent back by the server. */
export interface S3Config {
  enabled: boolean;
  bucket: string;
  region: string;
  endpoint: string;
  accessKey: string;
  secret: string;
  forcePathStyle: boolean;
}

export interface BackupsForm {
  cron: string;
  cronMaxKeep: number;
  s3: S3Config;
}

const text = (value: unknown) => (typeof value === 'string' ? value : '');
const record = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};

/** `settings.backups` → the form's value (missing keys as PocketBase's defaults). */
export function toBackupsForm(raw: unknown): BackupsForm {
  const backups = record(raw);
  const s3 = record(backups.s3);
  return {
    cron: text(backups.cron),
    cronMaxKeep: typeof backups.cronMaxKeep === 'number' ? backups.cronMaxKeep : 3,
    s3: {
      enabled: Boolean(s3.enabled),
      bucket: text(s3.bucket),
      region: text(s3.region),
      endpoint: text(s3.endpoint),
      accessKey: text(s3.accessKey),
      secret: text(s3.secret),
      forcePathStyle: Boolean(s3.forcePathStyle),
    },
  };
}

/** The form → `PATCH {backups}`: a blank secret is left out, so the stored one is kept. */
export function toBackupsBody(form: BackupsForm): Record<string, unknown> {
  const { secret, ...s3 } = form.s3;
  return { cron: form.cron, cronMaxKeep: form.cronMaxKeep, s3: secret === '' ? s3 : { ...s3, secret } };
}
