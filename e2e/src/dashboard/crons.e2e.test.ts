import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SUPERUSER } from '../support/auth-fixture';
import { type DashboardBrowser, launchBrowser, screenshot, signIn, unnamedControls } from './browser';

// Settings → Crons in real Chromium against `hivebase serve` and its real `/api/crons`.
describe('dashboard: crons (standalone)', () => {
  let booted: BootedWithRoot;
  let browser: DashboardBrowser;
  let page: Page;

  beforeAll(async () => {
    booted = await bootWithRoot('standalone');
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, booted.running.baseUrl, SUPERUSER.email, SUPERUSER.password);
    await page.getByRole('button', { name: 'Settings' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await booted?.stop();
  });
  afterEach(() => {
    expect(browser.errors).toEqual([]);
  });

  const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 15_000 });
  const rows = () => page.getByTestId('cron-row');
  const shown = async () =>
    Promise.all(
      (await rows().all()).map(async (row) => {
        const [id = '', expression = ''] = await row.locator('code').allTextContents();
        return { id, expression };
      }),
    );

  it('lists the jobs exactly as GET /api/crons answers, and runs one (a success toast)', async () => {
    await page.goto(`${booted.running.baseUrl}/_/#/settings/crons`);
    const jobs = await booted.root.crons.getFullList();
    expect(jobs.length).toBeGreaterThan(0); // the server's own upkeep jobs
    await poll(() => rows().count()).toBe(jobs.length);
    expect(await shown()).toEqual(jobs.map(({ id, expression }) => ({ id, expression })));
    await screenshot(page, 'crons');
    expect(await unnamedControls(page)).toEqual([]);

    const [first] = jobs;
    await page.getByRole('button', { name: `Run ${first?.id}` }).click();
    await page
      .getByRole('status')
      .filter({ hasText: `Successfully triggered "${first?.id}".` })
      .waitFor();
  });

  it('shows the automatic backups job once settings.backups.cron is set (after Refresh)', async () => {
    // 1 January only: no automatic backup runs while the test does.
    await booted.root.settings.update({ backups: { cron: '0 0 1 1 *', cronMaxKeep: 2 } });
    await poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await shown()).find((job) => job.expression === '0 0 1 1 *')?.id ?? '';
    }).toBe('__pbAutoBackup__');
    await booted.root.settings.update({ backups: { cron: '' } });
    await poll(async () => {
      await page.getByRole('button', { name: 'Refresh' }).click();
      return (await shown()).some((job) => job.id === '__pbAutoBackup__');
    }).toBe(false);
  });

  it('a refused run is a failure toast with the server’s message (the session was revoked meanwhile)', async () => {
    const [first] = await booted.root.crons.getFullList();
    // A new password renews the superuser's token key: the page's token stops working.
    const id = booted.root.authStore.record?.id ?? '';
    const password = 'another-password-1';
    await booted.root.collection('_superusers').update(id, { password, passwordConfirm: password });
    await page.getByRole('button', { name: `Run ${first?.id}` }).click();
    await page
      .getByTestId('toasts')
      .getByRole('alert')
      .filter({ hasText: `Failed to run "${first?.id}"` })
      .waitFor();
  });
});
