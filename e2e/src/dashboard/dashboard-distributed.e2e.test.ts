import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestDatabase, type TestDatabase } from '@hivebase/platform/testing';
import { upsertSuperuser } from '@hivebase/standalone';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bootDistributed, type RunningShape } from '../support/boot-shape';
import { type DashboardBrowser, launchBrowser, signIn } from './browser';

// The distributed shape: the gateway serves the dashboard, whose SDK calls go through the
// gateway to the collections and auth services.

const EMAIL = 'gateway-admin@example.com';
const PASSWORD = 'a-long-password';

let database: TestDatabase;
let shape: RunningShape;
let browser: DashboardBrowser;
let dataDir: string;

beforeAll(async () => {
  database = await createTestDatabase();
  // Every process shares these (docs/backups.md); its own, not the default under the working directory.
  dataDir = await mkdtemp(join(tmpdir(), 'hb-dash-distributed-'));
  process.env.HB_STORAGE_DIR = join(dataDir, 'storage');
  process.env.HB_BACKUPS_DIR = join(dataDir, 'backups');
  const pool = new pg.Pool({ connectionString: database.url, max: 1 });
  try {
    await upsertSuperuser(pool, EMAIL, PASSWORD);
  } finally {
    await pool.end();
  }
  shape = await bootDistributed({ databaseUrl: database.url });
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await shape?.stop();
  await database?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
  delete process.env.HB_STORAGE_DIR;
  delete process.env.HB_BACKUPS_DIR;
});

describe('dashboard through the gateway (distributed)', () => {
  it('serves /_/ with its cache rules, signs in and lists the collections', async () => {
    const index = await fetch(`${shape.baseUrl}/_/settings`);
    expect(index.status).toBe(200);
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const asset = (await index.text()).match(/src="(\/_\/assets\/[^"]+\.js)"/)?.[1];
    const script = await fetch(`${shape.baseUrl}${asset}`);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');

    const page = await browser.newPage();
    await signIn(page, shape.baseUrl, EMAIL, PASSWORD);
    await page.getByRole('link', { name: /^users/ }).click();
    await page.getByRole('heading', { name: 'users' }).waitFor();
    // GET /api/openapi.json reaches the collections service through the gateway.
    await page.getByRole('button', { name: 'API preview' }).click();
    const download = page.waitForEvent('download');
    await page.getByRole('dialog').getByRole('button', { name: 'Download openapi.json' }).click();
    const openapi = JSON.parse(await readFile((await (await download).path()) ?? '', 'utf8'));
    expect(Object.keys(openapi.paths)).toContain('/api/collections/users/auth-with-password');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByLabel(/^Application name/).waitFor();
    expect(browser.errors).toEqual([]);
  });

  it('Settings → Backups and Crons through the gateway: a backup made and downloaded with a file token, the jobs listed', async () => {
    const page = await browser.newPage();
    await signIn(page, shape.baseUrl, EMAIL, PASSWORD);
    await page.getByRole('button', { name: 'Settings' }).click();
    await page.getByRole('tab', { name: 'Backups' }).click();
    await page.getByText('No backups found.').waitFor();
    await page.getByRole('button', { name: 'Initialize new backup' }).click();
    await page.getByRole('dialog').getByLabel('Backup name').fill('through_gateway.zip');
    await page.getByRole('dialog').getByRole('button', { name: 'Start backup' }).click();
    await page.getByTestId('backup-row').filter({ hasText: 'through_gateway.zip' }).waitFor();
    // The token comes from the files service, the zip from the collections service.
    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download through_gateway.zip' }).click();
    const zip = await readFile((await (await download).path()) ?? '');
    expect(zip.subarray(0, 2).toString()).toBe('PK');

    await page.getByRole('tab', { name: 'Crons' }).click();
    await page.getByTestId('cron-row').filter({ hasText: '__pbLogsCleanup__' }).waitFor();
    expect(browser.errors).toEqual([]);
  });
});
