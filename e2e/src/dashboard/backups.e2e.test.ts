import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import S3rver from 's3rver';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SUPERUSER } from '../support/auth-fixture';
import { type DashboardBrowser, launchBrowser, screenshot, signIn, unnamedControls } from './browser';

// Settings → Backups in real Chromium against `hivebase serve` and its real backups API: create,
// list, download, delete, upload, restore, and the automatic backups and S3 options.
describe('dashboard: backups (standalone)', () => {
  let booted: BootedWithRoot;
  let browser: DashboardBrowser;
  let page: Page;
  let s3: S3rver;
  let s3Dir: string;
  let s3Endpoint: string;
  let downloaded: Buffer;
  let dataDir: string;

  beforeAll(async () => {
    s3Dir = await mkdtemp(join(tmpdir(), 'hb-dash-s3-'));
    s3 = new S3rver({
      address: '127.0.0.1',
      port: 0,
      silent: true,
      directory: s3Dir,
      configureBuckets: [{ name: 'hb-dash-backups', configs: [] }],
    });
    s3Endpoint = `http://127.0.0.1:${(await s3.run()).port}`;
    // Its own record files and backups: a restore removes files the backup does not have.
    dataDir = await mkdtemp(join(tmpdir(), 'hb-dash-backups-'));
    process.env.HB_STORAGE_DIR = join(dataDir, 'storage');
    process.env.HB_BACKUPS_DIR = join(dataDir, 'backups');
    booted = await bootWithRoot('standalone');
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, booted.running.baseUrl, SUPERUSER.email, SUPERUSER.password);
    await page.getByRole('button', { name: 'Settings' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await booted?.stop();
    await s3?.close();
    if (s3Dir) await rm(s3Dir, { recursive: true, force: true });
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
    delete process.env.HB_STORAGE_DIR;
    delete process.env.HB_BACKUPS_DIR;
  });
  afterEach(() => {
    expect(browser.errors).toEqual([]);
  });

  const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
  const rows = () => page.getByTestId('backup-row');
  const row = (key: string) => rows().filter({ hasText: key });
  const dialog = () => page.getByRole('dialog');
  const toast = (text: string | RegExp) => page.getByTestId('toasts').getByRole('status').filter({ hasText: text });
  const failure = () => page.getByTestId('toasts').getByRole('alert');
  const keys = async () => (await booted.root.backups.getFullList()).map((backup) => backup.key).sort();

  it('creates a backup (a bad name refused beside its input), lists it with its size and date, downloads it', async () => {
    await page.goto(`${booted.running.baseUrl}/_/#/settings/backups`);
    await page.getByText('No backups found.').waitFor();

    await page.getByRole('button', { name: 'Initialize new backup' }).click();
    await dialog().getByLabel('Backup name').fill('Not a valid name!');
    await dialog().getByRole('button', { name: 'Start backup' }).click();
    // The server's field error, under the input; nothing was made.
    await poll(() => dialog().getByLabel('Backup name').getAttribute('aria-invalid')).toBe('true');
    expect(await keys()).toEqual([]);

    await dialog().getByLabel('Backup name').fill('dash_one.zip');
    await dialog().getByRole('button', { name: 'Start backup' }).click();
    await toast('Successfully generated new backup.').waitFor();
    await dialog().waitFor({ state: 'detached' });
    await row('dash_one.zip').waitFor();
    const [stored] = await booted.root.backups.getFullList();
    expect(stored?.key).toBe('dash_one.zip');
    const cells = await row('dash_one.zip').locator('td').allTextContents();
    expect(cells[2]).toBe(stored?.modified);
    expect(cells[1]).toMatch(/^\d+(\.\d+)? (B|KB|MB|GB)$/);
    await screenshot(page, 'backups');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download dash_one.zip' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('dash_one.zip');
    downloaded = await readFile(await download.path());
    expect(downloaded.length).toBe(stored?.size);
    expect(downloaded.subarray(0, 2).toString()).toBe('PK'); // a zip
  });

  it('deletes only after a confirmation, and uploads a zip back after a warning (a non-zip refused)', async () => {
    await page.getByRole('button', { name: 'Delete dash_one.zip' }).click();
    await dialog().getByText('Do you really want to delete dash_one.zip?').waitFor();
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    expect(await keys()).toEqual(['dash_one.zip']);
    await page.getByRole('button', { name: 'Delete dash_one.zip' }).click();
    await dialog().getByRole('button', { name: 'Delete' }).click();
    await toast('Successfully deleted dash_one.zip.').waitFor();
    await page.getByText('No backups found.').waitFor();
    expect(await keys()).toEqual([]);

    // The zip downloaded above goes back up: the same bytes under its name.
    const zip = { name: 'dash_one.zip', mimeType: 'application/zip', buffer: downloaded };
    await page.getByLabel('Backup file').setInputFiles(zip);
    await dialog().getByText('Upload "dash_one.zip"?').waitFor();
    await dialog().getByRole('button', { name: 'Upload' }).click();
    await toast('Successfully uploaded a new backup.').waitFor();
    await row('dash_one.zip').waitFor();
    expect(await booted.root.backups.getFullList()).toEqual([expect.objectContaining({ size: downloaded.length })]);

    // Cancelling the warning sends nothing; a text file is the server's 400, shown as a failure.
    const text = { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('not a zip') };
    await page.getByLabel('Backup file').setInputFiles(text);
    await dialog().getByRole('button', { name: 'Cancel' }).click();
    await dialog().waitFor({ state: 'detached' });
    await page.getByLabel('Backup file').setInputFiles(text);
    await dialog().getByRole('button', { name: 'Upload' }).click();
    await failure().first().waitFor();
    expect((await failure().first().textContent())?.trim()).not.toBe('');
    expect(await keys()).toEqual(['dash_one.zip']);
  });

  it('restores only once the backup name is typed, then the data is the backup’s', async () => {
    // Made after the backup: a restore takes it away.
    await booted.root.collections.create({ name: 'made_after_backup', type: 'base', fields: [] });
    await page.getByRole('button', { name: 'Restore dash_one.zip' }).click();
    const restore = dialog().getByRole('button', { name: 'Restore backup' });
    expect(await restore.isDisabled()).toBe(true);
    await dialog()
      .getByLabel(/^Backup name/)
      .fill('dash_one');
    expect(await restore.isDisabled()).toBe(true);
    await dialog()
      .getByLabel(/^Backup name/)
      .fill('dash_one.zip');
    expect(await restore.isDisabled()).toBe(false);
    const reloaded = page.waitForEvent('load', { timeout: 30_000 });
    await restore.click();
    await dialog().getByText('Restored; the page reloads in a moment.').waitFor();
    await reloaded;
    await poll(async () => {
      const found = await booted.root.collections.getOne('made_after_backup').then(
        () => true,
        () => false,
      );
      return found;
    }).toBe(false);
    // Same superuser in the backup: the session carries on after the reload.
    await page.getByRole('button', { name: 'Settings' }).waitFor();
  });

  it('automatic backups: enable with a preset, a bad cron refused inline, max to keep; saved as settings.backups', async () => {
    await page.goto(`${booted.running.baseUrl}/_/#/settings/backups`);
    const options = page.getByRole('form', { name: 'Backup options' });
    await options.getByLabel('Enable auto backups').check();
    const cron = options.getByLabel(/^Cron expression/);
    expect(await cron.inputValue()).toBe('0 0 * * *');
    await options.getByRole('button', { name: 'Presets' }).click();
    await page.getByRole('menuitem', { name: 'Every Mon and Wed at 00:00h' }).click();
    expect(await cron.inputValue()).toBe('0 0 * * 1,3');

    await cron.fill('every day');
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await options.getByText(/Invalid cron expression/).waitFor();
    expect((await booted.root.settings.getAll()).backups.cron).toBe('');

    await options.getByRole('button', { name: 'Presets' }).click();
    await page.getByRole('menuitem', { name: 'Every sunday at 00:00h' }).click();
    await options.getByLabel(/^Max @auto backups to keep/).fill('5');
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await options.getByRole('status').getByText('Saved.').waitFor();
    expect((await booted.root.settings.getAll()).backups).toMatchObject({ cron: '0 0 * * 0', cronMaxKeep: 5 });

    // Off again: the cron is emptied.
    await options.getByLabel('Enable auto backups').uncheck();
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await poll(async () => (await booted.root.settings.getAll()).backups.cron).toBe('');
  });

  it('S3 for backups: required fields inline, "Test connection" on the saved settings, failing then passing', async () => {
    const options = page.getByRole('form', { name: 'Backup options' });
    await options.getByLabel('Store backups in S3 storage').check();
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await options.getByText('Cannot be blank.').first().waitFor();
    for (const label of [/^Endpoint/, /^Bucket/, /^Region/, /^Access key/]) {
      expect(await options.getByLabel(label).getAttribute('aria-invalid')).toBe('true');
    }

    await options.getByLabel(/^Endpoint/).fill(s3Endpoint);
    await options.getByLabel(/^Bucket/).fill('no-such-bucket');
    await options.getByLabel(/^Region/).fill('us-east-1');
    await options.getByLabel(/^Access key/).fill('S3RVER');
    await options.getByLabel(/^Secret/).fill('S3RVER');
    await options.getByLabel('Force path-style addressing').check();
    // Unsaved edits: the test would use the stored settings, so it waits for a save.
    expect(await options.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(true);
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await options.getByRole('status').getByText('Saved.').waitFor();
    await options.getByRole('button', { name: 'Test connection' }).click();
    await options
      .getByRole('alert')
      .getByText(/Failed to establish S3 connection/)
      .waitFor();

    await options.getByLabel(/^Bucket/).fill('hb-dash-backups');
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await poll(() => options.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(false);
    await options.getByRole('button', { name: 'Test connection' }).click();
    await options.getByRole('status').getByText('S3 connected successfully.').waitFor();
    await screenshot(page, 'backups-options');
    // Every control of the page (list actions, options, S3 fields) has an accessible name.
    expect(await unnamedControls(page)).toEqual([]);

    // A new secret alone: once saved, the form is the stored settings again (secret hidden), testable.
    await options.getByLabel(/^Secret/).fill('S3RVER');
    await options.getByRole('button', { name: 'Save backup options' }).click();
    await poll(() => options.getByLabel(/^Secret/).inputValue()).toBe('');
    expect(await options.getByRole('button', { name: 'Test connection' }).isDisabled()).toBe(false);

    // The secret is kept (never sent back); the rest is what was typed.
    const saved = (await booted.root.settings.getAll()).backups.s3;
    expect(saved).toMatchObject({
      enabled: true,
      endpoint: s3Endpoint,
      bucket: 'hb-dash-backups',
      region: 'us-east-1',
      accessKey: 'S3RVER',
      forcePathStyle: true,
    });
    expect(saved.secret ?? '').toBe('');
    await booted.root.settings.update({ backups: { s3: { enabled: false } } });
  });
});
