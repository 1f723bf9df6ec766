import { type SmtpCapture, smtpSettingsFor, startSmtpCapture } from '@hivebase/platform/testing';
import { normalizeCollection, randomString } from '@hivebase/schema';
import { expect } from 'vitest';
import { type AuthTestApp, createAuthRecord, startAuthApp } from './auth-app';

/** The confirm pages the default templates link to, one per account flow. */
export type AccountAction = 'confirm-verification' | 'confirm-password-reset' | 'confirm-email-change';

/** POST to `/api/collections/{collection}/{path}` with a JSON body and, if given, an auth token. */
export function postTo(test: AuthTestApp, path: string, body: unknown, token?: string, collection = 'users') {
  return test.app.inject({
    method: 'POST',
    url: `/api/collections/${collection}/${path}`,
    payload: body as object,
    headers: token ? { authorization: token } : {},
  });
}

/** The token in the link of the first `action` mail to `to` (waiting for it if need be). */
export async function tokenMailedTo(smtp: SmtpCapture, to: string, action: AccountAction): Promise<string> {
  const mail = await smtp.waitForMail((candidate) => candidate.to.includes(to) && candidate.html.includes(action));
  const token = new RegExp(`/auth/${action}/([\\w-]+\\.[\\w-]+\\.[\\w-]+)`).exec(mail.html)?.[1];
  if (!token) throw new Error(`no ${action} link in the mail to ${to}: ${mail.html}`);
  return token;
}

/**
 * Asserts that no mail went to `to`. A mail for it would have been queued before the request
 * answered, so once a mail queued afterwards (a verification mail to a new record) has
 * arrived, one to `to` would have too.
 */
export async function expectNoMailTo(test: AuthTestApp, smtp: SmtpCapture, to: string): Promise<void> {
  const marker = `marker-${randomString(10)}@example.com`;
  await createAuthRecord(test, 'users', { email: marker });
  expect((await postTo(test, 'request-verification', { email: marker })).statusCode).toBe(204);
  await smtp.waitForMail((mail) => mail.to.includes(marker));
  expect(smtp.messages.filter((mail) => mail.to.includes(to))).toEqual([]);
}

/** PocketBase's 400 for a form with field errors, with `data` holding exactly these codes. */
export function expectFieldErrors(
  response: { statusCode: number; json(): unknown },
  codes: Record<string, string>,
  message = 'An error occurred while validating the submitted data.',
): void {
  expect(response.statusCode).toBe(400);
  const body = response.json() as { data: Record<string, { code: string }>; message: string };
  expect(body.message).toBe(message);
  const actual = Object.fromEntries(Object.entries(body.data).map(([field, error]) => [field, error.code]));
  expect(actual).toEqual(codes);
}

/** The auth service with its mail going to a fresh SMTP capture, and a second auth collection `members`. */
export async function startAccountTestApp(): Promise<{ test: AuthTestApp; smtp: SmtpCapture }> {
  const smtp = await startSmtpCapture();
  const test = await startAuthApp();
  await test.settings.update(smtpSettingsFor(smtp));
  const { collection } = normalizeCollection({ name: 'members', type: 'auth' });
  await test.registry.apply(() => [{ before: null, after: collection }]);
  return { test, smtp };
}

/** A `users` record as stored, for the fields the account flows change. */
export async function storedUser(
  test: AuthTestApp,
  id: string,
): Promise<{ email: string; verified: boolean; tokenKey: string }> {
  const { rows } = await test.pool.query(`SELECT email, verified, "tokenKey" FROM users WHERE id = $1`, [id]);
  return rows[0];
}
