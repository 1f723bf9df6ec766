import { createTestDatabase, type TestDatabase } from '@hivebase/server/testing';
import pg from 'pg';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootStandalone, type RunningShape, waitForOutput } from '../support/boot-shape';
import { type DashboardBrowser, launchBrowser, screenshot } from './browser';

// The dashboard in real Chromium against `hivebase serve`: the installer link it prints, sign-in,
// collections, rules, records and settings, each through the pages a person would use.

const EMAIL = 'admin@example.com';
const PASSWORD = 'a-long-password';
// Required inputs' names end in Mantine's asterisk.
const PASSWORD_LABEL = /^Password( \*)?$/;

let database: TestDatabase;
let server: RunningShape;
let browser: DashboardBrowser;
let installerLink: string;
let page: Page;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await bootStandalone({ databaseUrl: database.url, env: { LOG_PRETTY: 'true', LOG_LEVEL: 'warn' } });
  [, installerLink = ''] = await waitForOutput(server.processes.standalone, /^ {2}(http:\S+\/_\/#\/pbinstall\/\S+)$/m);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
});

afterEach(() => {
  expect(browser.errors).toEqual([]);
});

async function superuserEmails(): Promise<string[]> {
  const client = new pg.Client({ connectionString: database.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ email: string }>('SELECT email FROM "_superusers" ORDER BY email');
    return rows.map((row) => row.email);
  } finally {
    await client.end();
  }
}

describe('dashboard (standalone)', () => {
  it('is served at /_/: index revalidated, hashed assets cached for good, deep links fall back, missing assets 404', async () => {
    const index = await fetch(`${server.baseUrl}/_/`);
    expect(index.status).toBe(200);
    expect(index.headers.get('content-type')).toContain('text/html');
    expect(index.headers.get('cache-control')).toBe('no-cache');
    const html = await index.text();
    const asset = html.match(/src="(\/_\/assets\/[^"]+\.js)"/)?.[1];
    expect(asset).toBeDefined();
    const script = await fetch(`${server.baseUrl}${asset}`);
    expect(script.status).toBe(200);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(script.headers.get('content-type')).toContain('text/javascript');

    const deep = await fetch(`${server.baseUrl}/_/collections/whatever`);
    expect(deep.status).toBe(200);
    expect(await deep.text()).toBe(html);
    const missing = await fetch(`${server.baseUrl}/_/assets/missing-abc123.js`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ status: 404 });
    const outside = await fetch(`${server.baseUrl}/_/..%2f..%2fpackage.json`);
    expect(await outside.text()).not.toContain('"workspaces"');
    const bare = await fetch(`${server.baseUrl}/_`, { redirect: 'manual' });
    expect(bare.headers.get('location')).toBe('/_/');
  });

  it('installer link: creates the first superuser, signs in, removes the installer account', async () => {
    expect(await superuserEmails()).toEqual(['__pbinstaller@example.com']);
    await page.goto(installerLink);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel(PASSWORD_LABEL).fill('short');
    await page.getByLabel(/^Password confirm/).fill('short');
    await page.getByRole('button', { name: 'Create superuser and login' }).click();
    // The server's field error, beside its input.
    await expect.poll(() => page.getByText('Must be at least 8 character(s).').count()).toBeGreaterThan(0);
    await screenshot(page, 'installer');

    await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
    await page.getByLabel(/^Password confirm/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create superuser and login' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
    expect(await superuserEmails()).toEqual([EMAIL]);
  });

  it('keeps the session over a reload (token refreshed), logs out, and shows a failed login inline', async () => {
    const before = await page.evaluate("localStorage.getItem('pocketbase_auth')");
    await page.reload();
    await page.getByText('Pick a collection in the sidebar').waitFor();
    const after = await page.evaluate("localStorage.getItem('pocketbase_auth')");
    expect(after).not.toBe(before);

    await page.getByRole('button', { name: 'Logout' }).click();
    await page.getByRole('button', { name: 'Login' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel(PASSWORD_LABEL).fill('wrong-password');
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByRole('alert').getByText('Failed to authenticate.').waitFor();
    await screenshot(page, 'login');
    await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
  });
});
