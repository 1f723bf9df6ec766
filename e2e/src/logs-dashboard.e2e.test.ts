import type { Page } from 'playwright-core';
import PocketBase from 'pocketbase';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardBrowser, launchBrowser, screenshot, signIn } from './dashboard/browser';
import { type BootedWithRoot, bootWithRoot, SUPERUSER } from './support/auth-fixture';

// The Logs page and the logs, rate-limit, trusted-proxy and superuser-IP settings in real
// Chromium against `hivebase serve`.
describe('dashboard: logs and their settings (standalone)', () => {
  let booted: BootedWithRoot;
  let browser: DashboardBrowser;
  let page: Page;

  beforeAll(async () => {
    booted = await bootWithRoot('standalone');
    // Traffic: a guest's 404 and a superuser's request.
    const guest = new PocketBase(booted.running.baseUrl);
    await guest
      .collection('nosuch')
      .getList()
      .catch(() => undefined);
    await booted.root.settings.getAll();
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, booted.running.baseUrl, SUPERUSER.email, SUPERUSER.password);
    await page.getByRole('button', { name: 'Logs' }).waitFor();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await booted?.stop();
  });
  afterEach(() => {
    expect(browser.errors).toEqual([]);
  });

  const rows = () => page.getByRole('table', { name: 'Request logs' }).locator('tbody tr');
  const rowWith = (text: string) => rows().filter({ hasText: text });

  /** Refreshes the page's queries until `count()` says the batched logs have landed. */
  async function until(count: () => Promise<number>, atLeast = 1): Promise<void> {
    await expect
      .poll(
        async () => {
          await page.getByRole('button', { name: 'Refresh' }).click();
          await page.waitForTimeout(200);
          return count();
        },
        { timeout: 20_000, interval: 300 },
      )
      .toBeGreaterThanOrEqual(atLeast);
  }

  it('lists requests, hides the superusers’ until asked, filters, zooms and opens a log', async () => {
    await page.getByRole('button', { name: 'Logs' }).click();
    await until(() => rowWith('GET /api/collections/nosuch/records').count());
    // The superuser's own settings read is hidden by default, shown with the toggle.
    expect(await rowWith('GET /api/settings').count()).toBe(0);
    await page.getByLabel('Include superuser requests').check();
    await until(() => rowWith('GET /api/settings').count());
    await screenshot(page, 'logs');

    // The filter language over data.*; a bad filter is the server's 400, shown.
    await page.getByLabel('Logs filter').fill('data.status = 404');
    await page.getByRole('button', { name: 'Apply' }).click();
    await until(() => rowWith('nosuch').count());
    await expect.poll(() => rowWith('GET /api/settings').count()).toBe(0);
    await page.getByLabel('Logs filter').fill('data.status >>= 1');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Logs filter').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();

    // A click on an hour's bar zooms to it.
    const bar = page.getByRole('button', { name: /UTC: \d+ requests, \d+ failed/ }).first();
    await bar.click();
    await page.getByRole('button', { name: /Reset zoom/ }).click();

    // The detail drawer.
    await until(() => rowWith('GET /api/collections/nosuch/records').count());
    await page.getByRole('button', { name: 'Open log GET /api/collections/nosuch/records' }).first().click();
    const drawer = page.getByRole('dialog');
    await drawer.getByText('data.status').waitFor();
    expect(await drawer.textContent()).toContain('404');
    await screenshot(page, 'logs-detail');
    await page.keyboard.press('Escape');
  });

  it('saves the logs, rate limits, trusted proxy and superuser IPs settings; bad values shown inline', async () => {
    await page.goto(`${booted.running.baseUrl}/_/#/settings/edge`);
    const logsForm = page.getByRole('form', { name: 'Logs' });
    await logsForm.getByLabel('Max days retention').fill('7');
    await logsForm.getByLabel('Enable auth id logging').check();
    await logsForm.getByRole('button', { name: 'Save logs' }).click();
    await logsForm.getByRole('status').waitFor();

    const limits = page.getByRole('form', { name: 'Rate limits' });
    await limits.getByRole('button', { name: 'Add rate limit rule' }).click();
    const count = await limits.getByLabel(/^Rule \d+ label$/).count();
    await limits.getByLabel(`Rule ${count} label`).fill('not a label!');
    await limits.getByRole('button', { name: 'Save rate limits' }).click();
    await limits.getByRole('alert').waitFor();
    expect(await limits.textContent()).toMatch(/Invalid value format|must be in a valid format/i);
    await limits.getByLabel(`Rule ${count} label`).fill('/api/dashboard-probe');
    await limits.getByLabel('Excluded IPs').fill('10.0.0.0/8');
    await limits.getByRole('button', { name: 'Save rate limits' }).click();
    await limits.getByRole('status').waitFor();

    const proxy = page.getByRole('form', { name: 'Trusted proxy' });
    await proxy.getByLabel('Trusted proxy headers').fill('X-Real-IP');
    await proxy.getByRole('button', { name: 'Save trusted proxy' }).click();
    await proxy.getByRole('status').waitFor();

    const ips = page.getByRole('form', { name: 'Superuser IPs' });
    await ips.getByLabel('Allowed superuser IPs').fill('not-an-ip');
    await ips.getByRole('button', { name: 'Save superuser IPs' }).click();
    await ips.getByRole('alert').waitFor();
    await ips.getByLabel('Allowed superuser IPs').fill('');
    await ips.getByRole('button', { name: 'Save superuser IPs' }).click();
    await ips.getByRole('status').waitFor();
    await screenshot(page, 'settings-logs-limits');

    const saved = await booted.root.settings.getAll();
    expect(saved.logs).toMatchObject({ maxDays: 7, logAuthId: true });
    expect(saved.rateLimits.rules).toContainEqual(expect.objectContaining({ label: '/api/dashboard-probe' }));
    expect(saved.rateLimits.excludedIPs).toEqual(['10.0.0.0/8']);
    expect(saved.trustedProxy).toEqual({ headers: ['X-Real-IP'], useLeftmostIP: false });
    expect(saved.superuserIPs).toEqual([]);
  });
});
