import { readFile } from 'node:fs/promises';
import { createTestDatabase, type SmtpCapture, startSmtpCapture, type TestDatabase } from '@hivebase/platform/testing';
import pg from 'pg';
import type { Page } from 'playwright-core';
import PocketBase from 'pocketbase';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bootStandalone, type RunningShape, waitForOutput } from '../support/boot-shape';
import { mailMark, tokenMailedTo } from '../support/mail';
import { type DashboardBrowser, launchBrowser, screenshot, unnamedControls } from './browser';

// The dashboard in real Chromium against `hivebase serve`: the installer link it prints, sign-in,
// collections, rules, records and settings, each through the pages a person would use.

const EMAIL = 'admin@example.com';
let PASSWORD = 'a-long-password';
// Required inputs' names end in Mantine's asterisk.
const PASSWORD_LABEL = /^Password( \*)?$/;

let database: TestDatabase;
let server: RunningShape;
let browser: DashboardBrowser;
let installerLink: string;
let page: Page;
let smtp: SmtpCapture;

beforeAll(async () => {
  database = await createTestDatabase();
  smtp = await startSmtpCapture();
  server = await bootStandalone({ databaseUrl: database.url, env: { LOG_PRETTY: 'true', LOG_LEVEL: 'warn' } });
  [, installerLink = ''] = await waitForOutput(server.processes.standalone, /^ {2}(http:\S+\/_\/#\/pbinstall\/\S+)$/m);
  browser = await launchBrowser();
  page = await browser.newPage();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await database?.drop();
  await smtp?.close();
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

async function api(): Promise<PocketBase> {
  const pb = new PocketBase(server.baseUrl);
  await pb.collection('_superusers').authWithPassword(EMAIL, PASSWORD);
  return pb;
}

/** Picks `option` in the Mantine select labelled `label`. */
async function choose(scope: Page, label: string, option: string): Promise<void> {
  await scope
    .locator('input:not([type=hidden])')
    .and(scope.getByLabel(label, { exact: true }))
    .click();
  await scope.getByRole('option', { name: option, exact: true }).click();
}

const drawer = () => page.getByRole('dialog');

/** `expect.poll` with room for a busy machine (its default gives up after one second). */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 10_000 });

/** Signs a fresh page in as the superuser. */
async function signIn(target: Page): Promise<void> {
  await target.goto(`${server.baseUrl}/_/`);
  await target.getByLabel('Email').fill(EMAIL);
  await target.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
  await target.getByRole('button', { name: 'Login' }).click();
  await target.getByText('Pick a collection in the sidebar').waitFor();
}

/** Applies the filter bar's text with its button (Enter does too, when no completion is open). */
async function applyFilter(): Promise<void> {
  await page.getByRole('button', { name: 'Apply' }).click();
}

// One field of each type a base collection takes (password belongs to auth collections).
const FIELD_TYPES = [
  'text',
  'editor',
  'number',
  'bool',
  'email',
  'url',
  'date',
  'autodate',
  'select',
  'file',
  'relation',
  'json',
  'geoPoint',
];

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
    await poll(() => page.getByText('Must be at least 8 character(s).').count()).toBeGreaterThan(0);
    await screenshot(page, 'installer');

    await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
    await page.getByLabel(/^Password confirm/).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create superuser and login' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
    expect(await superuserEmails()).toEqual([EMAIL]);
  });

  it('keeps the session over a reload (token refreshed), logs out, and shows a failed login inline', async () => {
    const refreshed = page.waitForResponse((response) =>
      response.url().endsWith('/api/collections/_superusers/auth-refresh'),
    );
    await page.reload();
    expect((await refreshed).status()).toBe(200);
    await page.getByText('Pick a collection in the sidebar').waitFor();

    await page.getByRole('button', { name: 'Logout' }).click();
    await page.getByRole('button', { name: 'Login' }).waitFor();
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel(PASSWORD_LABEL).fill('wrong-password');
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByRole('alert').getByText('Failed to authenticate.').waitFor();
    await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
  });

  it('creates a collection with a field of each type, showing the server errors beside their inputs first', async () => {
    await page.getByRole('button', { name: '+ New collection' }).click();
    await drawer().getByLabel(/^Name/).first().fill('posts');
    const before = await drawer()
      .getByTestId(/^field-/)
      .count();
    for (const type of FIELD_TYPES) {
      await choose(page, 'New field type', type);
      await drawer().getByRole('button', { name: '+ Add field' }).click();
    }
    for (const [offset, type] of FIELD_TYPES.entries()) {
      await drawer()
        .getByLabel(`Field ${before + offset + 1} name`)
        .fill(`f_${type}`);
    }
    await drawer().getByRole('button', { name: 'Create' }).click();
    // No choices for the select, no collection for the relation: the server says so at each input.
    const select = drawer().getByTestId(`field-${before + FIELD_TYPES.indexOf('select')}`);
    const relation = drawer().getByTestId(`field-${before + FIELD_TYPES.indexOf('relation')}`);
    await select
      .getByText(/blank|at least/i)
      .first()
      .waitFor();
    await relation
      .getByText(/blank|exist|invalid/i)
      .first()
      .waitFor();
    await screenshot(page, 'collection-errors');

    await select.getByLabel('f_select choices').fill('draft, published');
    await choose(page, 'f_relation collection', 'users');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'posts' }).waitFor();

    const posts = await (await api()).collections.getOne('posts');
    const types = Object.fromEntries(posts.fields.map((field) => [field.name, field.type]));
    for (const type of FIELD_TYPES) expect(types[`f_${type}`]).toBe(type);
    expect(posts.fields.find((field) => field.name === 'f_select')?.values).toEqual(['draft', 'published']);
  });

  it('edits API rules: an invalid rule shows its error inline, then a valid one saves; null and empty stay distinct', async () => {
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByRole('tab', { name: 'API rules' }).click();
    const listRule = drawer().getByTestId('rule-listRule');
    await listRule.getByText('Custom').click();
    const editor = listRule.getByRole('textbox', { name: 'List/Search rule' });
    // Autocomplete offers @request.* and the fields, through relations too.
    await editor.fill('');
    await editor.pressSequentially('@request.au');
    await page.getByRole('option', { name: '@request.auth.id' }).first().waitFor();
    await editor.fill('f_relation.');
    await editor.press('End');
    await editor.pressSequentially('em');
    await page.getByRole('option', { name: 'f_relation.email' }).first().waitFor();
    await screenshot(page, 'rules-autocomplete');
    await editor.fill('no_such_field = 1');
    await drawer().getByTestId('rule-viewRule').getByText('Everyone').click();
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await listRule.getByText(/^Invalid rule\./).waitFor();
    await screenshot(page, 'rules-error');

    await editor.fill('f_text != ""');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    const posts = await (await api()).collections.getOne('posts');
    expect(posts.listRule).toBe('f_text != ""');
    expect(posts.viewRule).toBe('');
    expect(posts.createRule).toBeNull();
  });

  it('records: create (server errors inline first), filter, sort, edit and delete, an input per field type', async () => {
    const rows = page.getByTestId('record-row');
    await page.getByRole('button', { name: '+ New record' }).click();
    await drawer().getByLabel('f_text').fill('zulu');
    await drawer().getByLabel('f_email').fill('not-an-email');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().getByText('Must be a valid email address.').waitFor();

    await drawer().getByLabel('f_email').fill('zulu@example.com');
    await drawer().getByLabel('f_number').fill('10');
    await drawer().getByLabel('f_bool').check();
    await drawer().getByLabel('f_url').fill('https://example.com/zulu');
    // Rich text: typed, then made bold from the toolbar; the HTML source view shows the result.
    const editor = drawer().getByRole('textbox', { name: 'f_editor', exact: true });
    await editor.fill('Hello');
    await editor.press('ControlOrMeta+A');
    await drawer().getByRole('button', { name: 'Bold', exact: true }).click();
    await drawer().getByRole('button', { name: 'f_editor HTML source' }).click();
    await poll(() => drawer().getByRole('textbox', { name: 'f_editor HTML' }).inputValue()).toBe(
      '<p><strong>Hello</strong></p>',
    );
    // The date from the browser's date-time picker (UTC) lands in the text input, seconds included.
    await drawer().getByLabel('f_date date picker').fill('2024-05-06T07:08:09');
    await poll(() => drawer().getByLabel('f_date', { exact: true }).inputValue()).toBe('2024-05-06 07:08:09.000Z');
    await choose(page, 'f_select', 'published');
    // The JSON editor (CodeMirror): a syntax error is refused in place before any request.
    const json = drawer().getByRole('textbox', { name: 'f_json', exact: true });
    await json.fill('{"tags": [');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().getByText('Invalid JSON.').waitFor();
    await json.fill('{"tags": ["a", "b"]}');
    await drawer().getByLabel('f_geoPoint longitude').fill('2.35');
    await drawer().getByLabel('f_geoPoint latitude').fill('48.85');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().waitFor({ state: 'detached' });
    await rows.filter({ hasText: 'zulu@example.com' }).waitFor();

    const pb = await api();
    const [zulu] = (await pb.collection('posts').getFullList()).filter((record) => record.f_text === 'zulu');
    expect(zulu).toMatchObject({
      f_number: 10,
      f_bool: true,
      f_url: 'https://example.com/zulu',
      f_editor: '<p><strong>Hello</strong></p>',
      f_date: '2024-05-06 07:08:09.000Z',
      f_select: 'published',
      f_json: { tags: ['a', 'b'] },
      f_geoPoint: { lon: 2.35, lat: 48.85 },
    });
    await pb.collection('posts').create({ f_text: 'alpha', f_number: 1, f_email: 'alpha@example.com' });
    await page.reload();
    await rows.nth(1).waitFor();
    expect(await rows.count()).toBe(2);

    // The filter bar completes field names.
    await page.getByLabel('Filter records').pressSequentially('f_num');
    await page.getByRole('option', { name: 'f_number' }).first().waitFor();
    await page.getByLabel('Filter records').fill('f_number > 5');
    await applyFilter();
    await poll(() => rows.count()).toBe(1);
    await poll(() => rows.first().textContent()).toContain('zulu');
    await page.getByLabel('Filter records').fill('no_such_field > 5');
    await applyFilter();
    await page.getByRole('alert').waitFor();
    await page.getByLabel('Filter records').fill('');
    await page.getByLabel('Filter records').press('Enter');
    await poll(() => rows.count()).toBe(2);

    await page.getByLabel('Sort by f_text').click();
    await poll(() => rows.first().textContent()).toContain('alpha');
    await page.getByLabel('Sort by f_text').click();
    await poll(() => rows.first().textContent()).toContain('zulu');

    await rows.first().getByText('zulu@example.com').click();
    // The stored values come back into their inputs.
    await poll(() => drawer().getByRole('textbox', { name: 'f_json', exact: true }).textContent()).toContain('"tags"');
    await drawer()
      .getByRole('textbox', { name: 'f_editor', exact: true })
      .locator('strong')
      .getByText('Hello')
      .waitFor();
    await drawer().getByLabel('f_text').fill('zulu-edited');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    await rows.filter({ hasText: 'zulu-edited' }).waitFor();
    expect((await pb.collection('posts').getOne(zulu?.id ?? '')).f_text).toBe('zulu-edited');

    await rows.filter({ hasText: 'zulu-edited' }).getByText('zulu@example.com').click();
    await drawer().getByRole('button', { name: 'Delete' }).click();
    await drawer().waitFor({ state: 'detached' });
    await poll(() => rows.count()).toBe(1);
    expect((await pb.collection('posts').getFullList()).map((record) => record.f_text)).toEqual(['alpha']);
  });

  it('auth records: a users record with a password', async () => {
    await page.getByRole('link', { name: /^users/ }).click();
    await page.getByRole('button', { name: '+ New record' }).click();
    await drawer()
      .getByLabel(/^email( \*)?$/)
      .fill('reader@example.com');
    await drawer()
      .getByLabel(/^password( \*)?$/)
      .fill('reader-password');
    await drawer()
      .getByLabel(/^passwordConfirm/)
      .fill('reader-password');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().waitFor({ state: 'detached' });
    const reader = new PocketBase(server.baseUrl);
    await reader.collection('users').authWithPassword('reader@example.com', 'reader-password');
    expect(reader.authStore.record?.email).toBe('reader@example.com');
  });

  it('a view collection: the query error inline, then its records', async () => {
    await page.getByRole('button', { name: '+ New collection' }).click();
    await choose(page, 'Type', 'view');
    await drawer().getByLabel(/^Name/).first().fill('post_texts');
    // The live preview runs the query as it is typed: its error first, then fields and rows.
    const preview = drawer().getByTestId('view-preview');
    await drawer().getByRole('textbox', { name: 'View query' }).fill('SELECT id, no_such_column FROM posts');
    await preview
      .getByRole('alert')
      .getByText(/no_such_column/)
      .waitFor();
    await drawer()
      .getByRole('textbox', { name: 'View query' })
      .fill('SELECT id, f_text, f_number * 2 AS twice FROM posts');
    await preview.getByText('twice: number').waitFor();
    await preview.getByText('f_text: text').waitFor();
    await preview.getByRole('cell', { name: 'alpha', exact: true }).waitFor();
    await screenshot(page, 'view-preview');
    await drawer().getByRole('textbox', { name: 'View query' }).fill('SELECT id, no_such_column FROM posts');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer()
      .getByText(/no_such_column|invalid|query/i)
      .first()
      .waitFor();
    await drawer().getByRole('textbox', { name: 'View query' }).fill('SELECT id, f_text FROM posts');
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'post_texts' }).waitFor();
    await page.getByTestId('record-row').filter({ hasText: 'alpha' }).waitFor();
  });

  it('settings: application name (blank refused inline), SMTP, a test email to the capture, batch', async () => {
    await page.getByRole('button', { name: 'Settings' }).click();
    const appName = page.getByLabel(/^Application name/);
    await appName.fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Cannot be blank.').waitFor();
    await appName.fill('Hive Dashboard Test');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();

    await page.getByRole('tab', { name: 'Mail' }).click();
    await page.getByLabel('Use SMTP mail server').check();
    // SMTP on without a host: the server's error under the host input.
    await page.getByLabel('SMTP server host').fill('');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Cannot be blank.').waitFor();
    await page.getByLabel('SMTP server host').fill(smtp.host);
    await page.getByLabel('Port', { exact: true }).fill(String(smtp.port));
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    await page.getByLabel('Test email address').fill('inbox@example.com');
    await page.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Test email sent to inbox@example.com.').waitFor();
    const mail = await smtp.waitForMail((message) => message.to.includes('inbox@example.com'));
    expect(mail.subject).toContain('Hive Dashboard Test');

    await page.getByRole('tab', { name: 'Batch' }).click();
    await page.getByLabel('Enable batch API').check();
    await page.getByLabel('Max requests per batch').fill('0');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('Cannot be blank.').waitFor();
    await page.getByLabel('Max requests per batch').fill('25');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByRole('status').getByText('Saved.').waitFor();
    const settings = await (await api()).settings.getAll();
    expect(settings.meta.appName).toBe('Hive Dashboard Test');
    expect(settings.smtp).toMatchObject({ enabled: true, host: smtp.host, port: smtp.port });
    expect(settings.batch).toMatchObject({ enabled: true, maxRequests: 25 });
  });

  it("an auth collection's OAuth2 provider form: missing client id shown inline, then saved", async () => {
    await page.getByRole('button', { name: 'Collections' }).click();
    await page.getByRole('link', { name: /^users/ }).click();
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByRole('tab', { name: 'Options' }).click();
    await drawer().getByLabel('Enable OAuth2 auth').check();
    await choose(page, 'Add OAuth2 provider', 'Google');
    const google = drawer().getByTestId('provider-google');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await google.getByText('Cannot be blank.').first().waitFor();
    await screenshot(page, 'oauth2-errors');

    await google.getByLabel('Client ID').fill('google-client-id');
    await google.getByLabel('Client secret').fill('google-client-secret');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    const users = await (await api()).collections.getOne('users');
    expect(users.oauth2.enabled).toBe(true);
    expect(users.oauth2.providers).toEqual([expect.objectContaining({ name: 'google', clientId: 'google-client-id' })]);
  });

  it("an auth collection's mail template: a test send, a bad address refused inline", async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/users`);
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByRole('tab', { name: 'Options' }).click();
    await drawer().getByRole('button', { name: 'Mail templates' }).click();
    const address = drawer().getByLabel('Password reset test email address');
    await address.fill('not-an-email');
    await drawer().getByRole('button', { name: 'Send password reset test' }).click();
    await drawer().getByText('Must be a valid email address.').waitFor();
    await address.fill('templates@example.com');
    await drawer().getByRole('button', { name: 'Send password reset test' }).click();
    await drawer().getByText('Test email sent to templates@example.com.').waitFor();
    const mail = await smtp.waitForMail((message) => message.to.includes('templates@example.com'));
    expect(mail.subject).toMatch(/reset/i);
    expect(mail.html).toContain('/auth/confirm-password-reset/');
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('imports collections JSON after a review of the changes; bad JSON and server errors shown', async () => {
    const pb = await api();
    const posts = await pb.collections.getOne('posts');
    const edited = { ...posts, fields: [...posts.fields, { name: 'f_extra', type: 'text' }] };
    const notes = { name: 'imported_notes', type: 'base', fields: [{ name: 'note', type: 'text' }] };

    await page.goto(`${server.baseUrl}/_/#/settings/import`);
    const input = page.getByRole('textbox', { name: 'Collections to import' });
    await input.fill('{ not json');
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByText(/^Invalid collections JSON/).waitFor();

    await input.fill(JSON.stringify([{ name: 'bad name!', type: 'base', fields: [] }]));
    await page.getByRole('button', { name: 'Review' }).click();
    await page.getByRole('button', { name: 'Confirm and import' }).click();
    await page.getByRole('alert').waitFor();

    await input.fill(JSON.stringify([edited, notes]));
    await page.getByRole('button', { name: 'Review' }).click();
    const review = page.getByTestId('import-review');
    await review.getByText('add field "f_extra" (text)').waitFor();
    await review.getByText('imported_notes').waitFor();
    await screenshot(page, 'import-review');
    await page.getByRole('button', { name: 'Confirm and import' }).click();
    await page.getByRole('status').getByText('Collections imported.').waitFor();

    const names = (await pb.collections.getFullList()).map((collection) => collection.name);
    expect(names).toContain('imported_notes');
    expect((await pb.collections.getOne('posts')).fields.map((field) => field.name)).toContain('f_extra');
  });

  it('superuser password reset: the request from the login page, the mailed link, the new password', async () => {
    await page.getByRole('button', { name: 'Logout' }).click();
    await page.getByRole('link', { name: 'Forgotten password?' }).click();
    const mark = mailMark(smtp);
    await page.getByLabel(/^Email/).fill(EMAIL);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('status').waitFor();
    const token = await tokenMailedTo(smtp, EMAIL, 'confirm-password-reset', mark);

    await page.goto(`${server.baseUrl}/_/#/auth/confirm-password-reset/${token}`);
    await page.getByLabel(/^New password( \*)?$/).fill('the-new-password');
    await page.getByLabel(/^New password confirm/).fill('not-the-same');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByText(/do not match|match/i)
      .first()
      .waitFor();
    await page.getByLabel(/^New password confirm/).fill('the-new-password');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page
      .getByRole('status')
      .getByText(/password was changed/)
      .waitFor();
    PASSWORD = 'the-new-password';

    await page.goto(`${server.baseUrl}/_/#/login`);
    await page.getByLabel('Email').fill(EMAIL);
    await page.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
    await page.getByRole('button', { name: 'Login' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
  });

  it("API preview: a collection's routes, rules, body parameters and answers from its live schema", async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByRole('button', { name: 'API preview' }).click();
    await drawer().getByText('GET /api/collections/posts/records', { exact: true }).waitFor();
    await drawer().getByText('Requires: f_text != ""').waitFor();
    await drawer()
      .getByRole('button', { name: /Create/ })
      .click();
    await drawer().getByText('POST /api/collections/posts/records', { exact: true }).waitFor();
    await drawer().getByRole('cell', { name: 'f_geoPoint' }).waitFor();
    await drawer().getByText('Superusers only (null rule)').first().waitFor();
    // The OpenAPI document of every collection, from the server.
    const download = page.waitForEvent('download');
    await drawer().getByRole('button', { name: 'Download openapi.json' }).click();
    const openapi = JSON.parse(await readFile((await (await download).path()) ?? '', 'utf8'));
    expect(openapi.openapi).toBe('3.1.0');
    expect(openapi.paths['/api/collections/posts/records'].get['x-hivebase-rule']).toBe('f_text != ""');
    expect(openapi.components.schemas.postsRecord.properties.f_geoPoint.required).toEqual(['lon', 'lat']);
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('records extras: column picker, JSON export, duplicate collection', async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByRole('button', { name: 'Sort by f_editor' }).waitFor();
    await page.getByRole('button', { name: 'Columns' }).click();
    await page.getByRole('checkbox', { name: 'f_editor' }).uncheck();
    await poll(() => page.getByRole('button', { name: 'Sort by f_editor' }).count()).toBe(0);
    await page.getByRole('checkbox', { name: 'f_editor' }).check();
    await page.keyboard.press('Escape');

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export JSON' }).click();
    const exported = JSON.parse(await readFile((await (await download).path()) ?? '', 'utf8'));
    expect(exported.map((record: { f_text: string }) => record.f_text)).toEqual(['alpha']);

    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByRole('button', { name: 'Duplicate' }).click();
    await drawer().getByRole('button', { name: 'Create' }).click();
    await drawer().waitFor({ state: 'detached' });
    await page.getByRole('heading', { name: 'posts_duplicate' }).waitFor();
    const pb = await api();
    const [original, copy] = await Promise.all([
      pb.collections.getOne('posts'),
      pb.collections.getOne('posts_duplicate'),
    ]);
    expect(copy.fields.map((field) => field.name)).toEqual(original.fields.map((field) => field.name));
    expect(copy.listRule).toBe(original.listRule);
  });

  it('collection edits: rename (data kept), reorder, remove a field, a unique index (error inline first), after a confirmation', async () => {
    const pb = await api();
    await pb.collection('posts_duplicate').create({ f_text: 'kept-1', f_editor: '<p>x</p>' });
    await pb.collection('posts_duplicate').create({ f_text: 'kept-2' });
    const before = await pb.collections.getOne('posts_duplicate');
    const textAt = before.fields.findIndex((field) => field.name === 'f_text');
    await page.goto(`${server.baseUrl}/_/#/collections/posts_duplicate`);
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer()
      .getByLabel(`Field ${textAt + 1} name`)
      .fill('title');
    await drawer().getByRole('button', { name: 'Move field title up' }).click();
    await drawer().getByRole('button', { name: 'Remove field f_editor' }).click();
    // The list rule (copied from posts) names the old field: it follows the rename by hand.
    await drawer().getByRole('tab', { name: 'API rules' }).click();
    await drawer().getByTestId('rule-listRule').getByRole('textbox', { name: 'List/Search rule' }).fill('title != ""');
    await drawer().getByRole('tab', { name: 'Indexes' }).click();
    await drawer().getByRole('button', { name: '+ Add index' }).click();
    const index = drawer().getByLabel('Index 1', { exact: true });
    await index.fill('CREATE UNIQUE INDEX idx_pd_title ON posts_duplicate (no_such_field)');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    // The destructive changes are listed before anything is sent.
    const confirm = page.getByRole('dialog', { name: 'Confirm changes' });
    await confirm.getByText('Rename field "f_text" to "title"').waitFor();
    await confirm.getByText('Delete field "f_editor" and its data').waitFor();
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await drawer().getByRole('tab', { name: 'Indexes' }).click();
    await drawer()
      .getByText(/no_such_field|invalid|index/i)
      .first()
      .waitFor();
    await index.fill('CREATE UNIQUE INDEX idx_pd_title ON posts_duplicate (title)');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await confirm.getByRole('button', { name: 'Confirm' }).click();
    await drawer().first().waitFor({ state: 'detached' });

    const after = await pb.collections.getOne('posts_duplicate');
    const names = after.fields.map((field) => field.name);
    expect(names).not.toContain('f_editor');
    expect(names.indexOf('title')).toBe(textAt - 1);
    expect(after.fields.find((field) => field.name === 'title')?.id).toBe(before.fields[textAt]?.id);
    expect(after.indexes).toEqual([expect.stringContaining('idx_pd_title')]);
    const titles = (await pb.collection('posts_duplicate').getFullList({ sort: 'title' })).map((r) => r.title);
    expect(titles).toEqual(['kept-1', 'kept-2']);
    // The unique index holds.
    await expect(pb.collection('posts_duplicate').create({ title: 'kept-1' })).rejects.toMatchObject({ status: 400 });
  });

  it('bulk delete after a confirmation, truncate, then delete the collection', async () => {
    const pb = await api();
    await pb.collection('posts_duplicate').create({ title: 'kept-3' });
    await page.goto(`${server.baseUrl}/_/#/collections/posts_duplicate`);
    await page.reload();
    const rows = page.getByTestId('record-row');
    await poll(() => rows.count()).toBe(3);
    const kept = (await pb.collection('posts_duplicate').getFirstListItem('title = "kept-3"')).id;
    await page.getByRole('checkbox', { name: 'Select all' }).check();
    await page.getByRole('checkbox', { name: `Select ${kept}` }).uncheck();
    await page.getByRole('button', { name: 'Delete selected (2)' }).click();
    await page.getByRole('dialog', { name: 'Delete records' }).getByRole('button', { name: 'Delete 2' }).click();
    await poll(() => rows.count()).toBe(1);
    expect((await pb.collection('posts_duplicate').getFullList()).map((r) => r.id)).toEqual([kept]);

    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().first().getByRole('button', { name: 'Truncate' }).click();
    await page.getByRole('dialog', { name: 'Truncate collection' }).getByRole('button', { name: 'Truncate' }).click();
    await poll(() => rows.count()).toBe(0);
    expect(await pb.collection('posts_duplicate').getFullList()).toEqual([]);

    await drawer().first().getByRole('button', { name: 'Delete collection' }).click();
    await page.getByRole('dialog', { name: 'Delete collection' }).getByRole('button', { name: 'Delete' }).click();
    await page.getByText('Pick a collection in the sidebar').waitFor();
    await poll(() => page.getByRole('link', { name: 'posts_duplicate' }).count()).toBe(0);
    await expect(pb.collections.getOne('posts_duplicate')).rejects.toMatchObject({ status: 404 });
  });

  it('refreshes the records table in realtime when a record changes elsewhere', async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    const rows = page.getByTestId('record-row');
    await rows.first().waitFor();
    const before = await rows.count();
    await (await api()).collection('posts').create({ f_text: 'from-elsewhere' });
    await rows.filter({ hasText: 'from-elsewhere' }).waitFor();
    expect(await rows.count()).toBe(before + 1);
    const pb = await api();
    await pb
      .collection('posts')
      .delete((await pb.collection('posts').getFirstListItem('f_text = "from-elsewhere"')).id);
    await poll(() => rows.count()).toBe(before);
  });

  it('uploads a file from the record editor, previews it, then removes it', async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    const alphaRow = page.getByTestId('record-row').filter({ hasText: 'alpha' }).getByText('alpha', { exact: true });
    await alphaRow.click();
    const png = await sharp({ create: { width: 40, height: 30, channels: 3, background: { r: 200, g: 10, b: 10 } } })
      .png()
      .toBuffer();
    await drawer().locator('input[type=file]').setInputFiles({ name: 'pixel.png', mimeType: 'image/png', buffer: png });
    // The chosen image is previewed before it is sent.
    await drawer().getByRole('img', { name: 'Preview of pixel.png' }).waitFor();
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    const pb = await api();
    const alpha = await pb.collection('posts').getFirstListItem('f_text = "alpha"');
    expect(alpha.f_file).toMatch(/^pixel_\w+\.png$/);
    const served = await fetch(pb.files.getURL(alpha, alpha.f_file));
    expect(Buffer.from(await served.arrayBuffer()).equals(png)).toBe(true);

    // Reopened: the stored image shows as a thumbnail the files service rendered.
    await alphaRow.click();
    const thumb = drawer().getByRole('img', { name: `Preview of ${alpha.f_file}` });
    await thumb.waitFor();
    await poll(() => thumb.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth)).toBe(100);
    await drawer()
      .getByRole('button', { name: `Remove ${alpha.f_file}` })
      .click();
    await drawer().getByText(`Deleted on save: ${alpha.f_file}`).waitFor();
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    expect((await pb.collection('posts').getOne(alpha.id)).f_file).toBe('');
  });

  it('relation picker: searches the related collection and names records by their presentable fields', async () => {
    const pb = await api();
    const reader = await pb.collection('users').getFirstListItem('email = "reader@example.com"');
    await pb.collection('users').create({
      email: 'other@example.com',
      password: 'other-password',
      passwordConfirm: 'other-password',
      name: 'Other Person',
    });
    await pb.collection('users').update(reader.id, { name: 'Reader Person' });
    // users' "name" becomes presentable: the picker labels records with it.
    const users = await pb
      .collection('users')
      .getOne(reader.id)
      .then(() => pb.collections.getOne('users'));
    await pb.collections.update('users', {
      fields: users.fields.map((field) => (field.name === 'name' ? { ...field, presentable: true } : field)),
    });

    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByTestId('record-row').filter({ hasText: 'alpha' }).getByText('alpha', { exact: true }).click();
    const picker = drawer()
      .locator('input:not([type=hidden])')
      .and(drawer().getByLabel('f_relation', { exact: true }));
    await picker.click();
    await picker.fill('reader');
    // The server searched: the other user is not offered, the reader is, by name.
    await page.getByRole('option', { name: `Reader Person (${reader.id})` }).waitFor();
    await poll(() => page.getByRole('option', { name: /Other Person/ }).count()).toBe(0);
    await page.getByRole('option', { name: `Reader Person (${reader.id})` }).click();
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    expect((await pb.collection('posts').getFirstListItem('f_text = "alpha"')).f_relation).toBe(reader.id);

    // Reopened, the chosen record shows by its label, not its id.
    await page.getByTestId('record-row').filter({ hasText: 'alpha' }).getByText('alpha', { exact: true }).click();
    await poll(() => picker.inputValue()).toBe(`Reader Person (${reader.id})`);
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it("a field's help text: set in the collection editor, shown under the record editor's input", async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByLabel('f_number help text').fill('How many, at most 1000');
    await drawer().getByLabel('f_number max', { exact: true }).fill('1000');
    await drawer().getByRole('button', { name: 'Save changes' }).click();
    await drawer().waitFor({ state: 'detached' });
    const posts = await (await api()).collections.getOne('posts');
    expect(posts.fields.find((field) => field.name === 'f_number')).toMatchObject({
      help: 'How many, at most 1000',
      max: 1000,
    });

    await page.getByRole('button', { name: '+ New record' }).click();
    await drawer().getByText('How many, at most 1000').waitFor();
    await drawer().getByLabel('f_number').fill('5000');
    await drawer().getByRole('button', { name: 'Create' }).click();
    // The server's limit, beside the input.
    await drawer()
      .getByText(/less than or equal to 1000|at most 1000|1000/)
      .and(drawer().locator('.mantine-InputWrapper-error'))
      .waitFor();
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('auth record actions: verification mail and an impersonation token that works', async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/users`);
    await page
      .getByTestId('record-row')
      .filter({ hasText: 'reader@example.com' })
      .getByText('reader@example.com')
      .click();
    const mark = mailMark(smtp);
    await drawer().getByRole('button', { name: 'Send verification email' }).click();
    await drawer().getByText('Verification email sent to reader@example.com.').waitFor();
    await tokenMailedTo(smtp, 'reader@example.com', 'confirm-verification', mark);

    await drawer().getByRole('button', { name: 'Impersonate' }).click();
    const token = (await drawer().getByTestId('impersonation-token').textContent()) ?? '';
    const reader = new PocketBase(server.baseUrl);
    reader.authStore.save(token, null);
    const me = await reader.send('/api/collections/users/auth-methods', {});
    expect(me).toBeDefined();
    // users' list rule lets a signed-in user see itself only: the token signs in as the reader.
    const readerId = (await (await api()).collection('users').getFirstListItem('email = "reader@example.com"')).id;
    const { items } = await reader.collection('users').getList(1, 10);
    expect(items.map((record) => record.id)).toEqual([readerId]);
    await drawer().getByRole('button', { name: 'Cancel' }).click();
  });

  it('auth record actions: unlink an OAuth2 identity', async () => {
    const pb = await api();
    const users = await pb.collections.getOne('users');
    const reader = await pb.collection('users').getFirstListItem('email = "reader@example.com"');
    await pb.collection('_externalAuths').create({
      collectionRef: users.id,
      recordRef: reader.id,
      provider: 'google',
      providerId: 'google-reader-1',
    });
    await page.goto(`${server.baseUrl}/_/#/collections/users`);
    await page
      .getByTestId('record-row')
      .filter({ hasText: 'reader@example.com' })
      .getByText('reader@example.com')
      .click();
    const linked = drawer().getByTestId('linked-accounts');
    await linked.getByText('google-reader-1').waitFor();
    await linked.getByRole('button', { name: 'Unlink google' }).click();
    await linked.getByText('None.').waitFor();
    expect(await pb.collection('_externalAuths').getFullList({ filter: `recordRef = "${reader.id}"` })).toEqual([]);
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('keyboard: Ctrl+K searches collections, Ctrl+S saves the record editor, Escape closes it', async () => {
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByTestId('record-row').first().waitFor();
    await page.keyboard.press('ControlOrMeta+K');
    const search = page.getByRole('textbox', { name: /Search collections/ });
    await poll(() => search.evaluate((input) => input === input.ownerDocument.activeElement)).toBe(true);
    await page.keyboard.type('post_t');
    await poll(() => page.getByRole('link', { name: 'posts', exact: true }).count()).toBe(0);
    await page.getByRole('link', { name: /^post_texts/ }).waitFor();
    await search.fill('');

    await page.getByTestId('record-row').filter({ hasText: 'alpha' }).getByText('alpha', { exact: true }).click();
    await drawer().getByLabel('f_text').fill('alpha-saved-by-keyboard');
    await drawer().getByLabel('f_text').press('ControlOrMeta+S');
    await drawer().waitFor({ state: 'detached' });
    const pb = await api();
    await pb.collection('posts').getFirstListItem('f_text = "alpha-saved-by-keyboard"');
    await page
      .getByTestId('record-row')
      .filter({ hasText: 'alpha-saved-by-keyboard' })
      .getByText('alpha-saved-by-keyboard')
      .click();
    await drawer().getByLabel('f_text').fill('alpha');
    await drawer().getByLabel('f_text').press('ControlOrMeta+S');
    await drawer().waitFor({ state: 'detached' });

    await page.getByRole('button', { name: '+ New record' }).click();
    await drawer().waitFor();
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
  });

  it('no layout shift while the records page loads (cumulative layout shift under 0.1)', async () => {
    const fresh = await browser.newPage();
    await signIn(fresh);
    // Every shift from navigation start on, as Chromium reports them (input-driven ones excluded).
    await fresh.addInitScript(`
      window.__shifts = [];
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) window.__shifts.push(entry.value);
      }).observe({ type: 'layout-shift', buffered: true });
    `);
    await fresh.goto(`${server.baseUrl}/_/#/collections/posts`);
    // A hash change keeps the document: the load measured is the reload's.
    await fresh.reload();
    await fresh.getByTestId('record-row').first().waitFor();
    await fresh.getByRole('textbox', { name: 'Filter records' }).waitFor();
    const shifts = await fresh.evaluate<number[]>('window.__shifts');
    expect(shifts.reduce((sum, value) => sum + value, 0)).toBeLessThan(0.1);
    await fresh.context().close();
  });

  it('a tablet-wide window: nothing overflows sideways, the sidebar folds behind a menu button', async () => {
    const tablet = await browser.newPage();
    await tablet.setViewportSize({ width: 700, height: 1000 });
    await signIn(tablet);
    await tablet.goto(`${server.baseUrl}/_/#/collections/posts`);
    await tablet.getByTestId('record-row').first().waitFor();
    const overflow = () => tablet.locator('html').evaluate((root) => root.scrollWidth - root.clientWidth);
    expect(await overflow()).toBeLessThanOrEqual(0);
    await tablet.getByRole('button', { name: 'Toggle navigation' }).click();
    await tablet.getByRole('link', { name: /^users/ }).click();
    await tablet.getByRole('heading', { name: 'users' }).waitFor();
    await tablet.getByRole('button', { name: 'Edit collection' }).click();
    await tablet.getByRole('dialog').getByLabel(/^Name/).first().waitFor();
    expect(await overflow()).toBeLessThanOrEqual(0);
    await tablet.context().close();
  });

  it("accessible names: every control of the main pages has one (from the browser's accessibility tree)", async () => {
    const unnamed = () => unnamedControls(page);
    await page.goto(`${server.baseUrl}/_/#/collections/posts`);
    await page.getByTestId('record-row').first().waitFor();
    expect(await unnamed()).toEqual([]);
    await page.getByTestId('record-row').filter({ hasText: 'alpha' }).getByText('alpha', { exact: true }).click();
    await drawer().getByRole('textbox', { name: 'f_editor', exact: true }).waitFor();
    expect(await unnamed()).toEqual([]);
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Edit collection' }).click();
    await drawer().getByLabel(/^Name/).first().waitFor();
    expect(await unnamed()).toEqual([]);
    await drawer().getByRole('tab', { name: 'API rules' }).click();
    expect(await unnamed()).toEqual([]);
    await page.keyboard.press('Escape');
    await drawer().waitFor({ state: 'detached' });
    await page.goto(`${server.baseUrl}/_/#/settings/mail`);
    await page.getByLabel('SMTP server host').waitFor();
    expect(await unnamed()).toEqual([]);
  });

  // Not a check: the pictures in docs/dashboard.md, made from this test's data on demand.
  it.runIf(process.env.DASHBOARD_SCREENSHOTS === '1')('screenshots of the main pages, light and dark', async () => {
    for (const scheme of ['light', 'dark'] as const) {
      const shot = await browser.newPage({ colorScheme: scheme });
      await shot.goto(`${server.baseUrl}/_/`);
      await screenshot(shot, `login-${scheme}`);
      await shot.getByLabel('Email').fill(EMAIL);
      await shot.getByLabel(PASSWORD_LABEL).fill(PASSWORD);
      await shot.getByRole('button', { name: 'Login' }).click();
      await shot.getByRole('link', { name: 'posts', exact: true }).click();
      await shot.getByTestId('record-row').first().waitFor();
      // A measure for docs/dashboard.md, not a check: signed-in loads of the records page, from
      // navigation start to its rows drawn; the best of five, as the machine may be busy.
      const loads: number[] = [];
      for (let i = 0; i < 5; i++) {
        await shot.reload();
        await shot.getByTestId('record-row').first().waitFor();
        loads.push(await shot.evaluate<number>('Math.round(performance.now())'));
      }
      console.log(`records page (${scheme}): rows drawn after ${loads.join(', ')} ms (best ${Math.min(...loads)})`);
      await screenshot(shot, `records-${scheme}`);
      await shot.getByTestId('record-row').first().getByText('alpha', { exact: true }).click();
      await screenshot(shot, `record-editor-${scheme}`);
      await shot.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await shot.getByRole('button', { name: 'Edit collection' }).click();
      await screenshot(shot, `collection-editor-${scheme}`);
      await shot.getByRole('dialog').getByRole('tab', { name: 'API rules' }).click();
      await screenshot(shot, `rules-${scheme}`);
      await shot.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
      await shot.getByRole('button', { name: 'API preview' }).click();
      await shot.getByRole('dialog').getByText('GET /api/collections/posts/records', { exact: true }).waitFor();
      await screenshot(shot, `api-preview-${scheme}`);
      await shot.goto(`${server.baseUrl}/_/#/settings/mail`);
      await shot.getByLabel('SMTP server host').waitFor();
      await screenshot(shot, `settings-${scheme}`);
      await shot.context().close();
    }
  });
});
