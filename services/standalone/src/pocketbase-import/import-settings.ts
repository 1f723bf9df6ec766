import { mergeSettings, type Settings, type SettingsService, validateSettings } from '@hivebase/runtime';
import { canonicalJson, describeErrors } from './import-collections';
import type { ImportReport } from './import-report';
import type { PocketBaseSettings } from './pocketbase-data';

/**
 * PocketBase's settings over Hivebase's, key by key (both use PocketBase's document): a key
 * Hivebase refuses is reported and left as it was. `s3` comes along only when PocketBase stored
 * its files on S3 (then the files are already there, under the same keys); otherwise Hivebase's
 * own storage choice stands, since the files were just copied into it.
 */
export async function importSettings(
  pbSettings: PocketBaseSettings,
  settings: SettingsService,
  report: ImportReport,
): Promise<void> {
  if (pbSettings.kind === 'missing') {
    report.settings = 'unchanged';
    return;
  }
  if (pbSettings.kind === 'unreadable') {
    report.problems.push({ severity: 'skipped', subject: 'settings', reason: pbSettings.reason });
    return;
  }
  const { s3, ...rest } = pbSettings.value;
  const patch: Record<string, unknown> = { ...rest, ...(filesOnS3(pbSettings) ? { s3 } : {}) };
  const current = structuredClone(settings.get()) as Settings;
  let next = current;
  const accepted: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    const merged = mergeSettings(next, { [key]: value });
    const problems = merged.ok ? validateSettings(merged.settings) : merged.errors;
    if (Object.keys(problems).length > 0) {
      report.problems.push({ severity: 'error', subject: `settings ${key}`, reason: describeErrors(problems) });
      continue;
    }
    next = merged.settings;
    accepted[key] = value;
  }
  if (canonicalJson(next) === canonicalJson(current)) {
    report.settings = 'unchanged';
    return;
  }
  await settings.update(accepted);
  report.settings = 'imported';
}

/** Whether PocketBase kept its files on S3 (so there is nothing under storage/ to copy). */
export function filesOnS3(pbSettings: PocketBaseSettings): boolean {
  if (pbSettings.kind !== 'json') return false;
  const s3 = pbSettings.value.s3 as { enabled?: unknown } | undefined;
  return s3?.enabled === true;
}
