import { readFile } from 'node:fs/promises';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, SUPERUSER } from '../support/auth-fixture';
import { type DashboardBrowser, launchBrowser, screenshot, signIn } from './browser';

// The SQL console page in real Chromium against `hivebase serve`.
describe('dashboard: SQL console (standalone)', () => {
  let booted: BootedWithRoot;
  let browser: DashboardBrowser;
  let page: Page;

  beforeAll(async () => {
    booted = await bootWithRoot('standalone');
    await booted.root.collections.create({
      name: 'notes',
      type: 'base',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'note', type: 'text' },
      ],
    });
    // Values CSV must quote: a comma, a quote, a line break.
    await booted.root.collection('notes').create({ title: 'alpha', note: 'one, two' });
    await booted.root.collection('notes').create({ title: 'beta', note: 'say "hi"\nbye' });
    browser = await launchBrowser();
    page = await browser.newPage();
    await signIn(page, booted.running.baseUrl, SUPERUSER.email, SUPERUSER.password);
    await page.getByRole('button', { name: 'SQL', exact: true }).click();
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await booted?.stop();
  });
  afterEach(() => {
    expect(browser.errors).toEqual([]);
  });

  const editor = () => page.getByRole('textbox', { name: 'SQL query' });
  const resultRows = () => page.getByRole('table', { name: 'Query result' }).locator('tbody tr');
  const SELECT = 'select title, note, null as nothing from notes order by title';

  it('runs a query with Ctrl+Enter and shows its columns, types, rows and exec time', async () => {
    await editor().fill(SELECT);
    await editor().press('Control+Enter');
    await expect.poll(() => resultRows().count(), { timeout: 10_000 }).toBe(2);
    const header = page.getByRole('table', { name: 'Query result' }).locator('thead th');
    expect(await header.allInnerTexts()).toEqual([
      expect.stringMatching(/^title\s*text$/),
      expect.stringMatching(/^note\s*text$/),
      expect.stringMatching(/^nothing\s*text$/),
    ]);
    expect(await resultRows().first().locator('td').allInnerTexts()).toEqual(['alpha', 'one, two', 'NULL']);
    await page.getByText('Rows: 2').waitFor();
    await page.getByText(/^Time: \d+ ms$/).waitFor();
    await screenshot(page, 'sql-console');
  });

  it('exports the result as CSV, quoted where needed', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export as CSV' }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^export_\d{8}T\d{9}Z\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    expect(text).toBe('title,note,nothing\r\nalpha,"one, two",\r\nbeta,"say ""hi""\nbye",\r\n');
  });

  it('shows the server’s error, and keeps failed queries out of the history', async () => {
    await editor().fill('selec 1');
    await page.getByRole('button', { name: 'Run' }).click();
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('Failed to execute query. Raw error:\nsyntax error at or near "selec"');
    expect(await page.getByRole('button', { name: 'Use query: selec 1' }).count()).toBe(0);
  });

  it('asks before a write, runs it once confirmed and says how many rows it changed', async () => {
    await editor().fill("update notes set note = upper(note) where title = 'alpha'");
    // Cancelled: nothing runs.
    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('dialog', { name: 'Run this query?' }).getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    expect((await booted.root.sql.run("select note from notes where title = 'alpha'")).rows).toEqual([['one, two']]);

    await page.getByRole('button', { name: 'Run' }).click();
    await page.getByRole('dialog', { name: 'Run this query?' }).getByRole('button', { name: 'Execute' }).click();
    await page.getByRole('status').filter({ hasText: 'Query executed successfully! Affected rows: 1.' }).waitFor();
  });

  it('keeps past queries across reloads, reuses one on click, and clears them', async () => {
    await page.reload();
    const history = page.getByRole('list', { name: 'Query history' }).getByRole('listitem');
    await expect.poll(() => history.count(), { timeout: 10_000 }).toBe(2);
    // Newest first.
    expect(await history.first().textContent()).toContain('update notes');
    await page.getByRole('button', { name: `Use query: ${SELECT}` }).click();
    expect(await editor().inputValue()).toBe(SELECT);
    await page.getByRole('button', { name: 'Run' }).click();
    await expect.poll(() => resultRows().first().locator('td').allInnerTexts()).toEqual(['alpha', 'ONE, TWO', 'NULL']);

    await page.getByRole('button', { name: 'Clear history' }).click();
    await page.getByText('No recently executed queries.').waitFor();
    await page.reload();
    await page.getByText('No recently executed queries.').waitFor();
  });
});
