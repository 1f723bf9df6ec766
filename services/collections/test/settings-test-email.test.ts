import { freePort } from '@hivebase/platform';
import { type SmtpCapture, smtpSettingsFor, startSmtpCapture } from '@hivebase/platform/testing';
import { SettingsService } from '@hivebase/runtime';
import { SUPERUSERS_COLLECTION_ID } from '@hivebase/schema';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthRecord } from './support/auth-record';
import { type CollectionsTestApp, startCollectionsApp } from './support/test-app';

let testApp: CollectionsTestApp;
let capture: SmtpCapture;
let superuserToken: string;
let userToken: string;

type Json = Record<string, unknown>;

async function call(method: 'POST' | 'PATCH', url: string, body: unknown, token = superuserToken) {
  const response = await testApp.app.inject({
    method,
    url,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: token } : {}) },
    payload: JSON.stringify(body),
  });
  return { status: response.statusCode, body: (response.body ? response.json() : {}) as Json, text: response.body };
}

const sendTestEmail = (body: unknown, token?: string) => call('POST', '/api/settings/test/email', body, token);

beforeAll(async () => {
  testApp = await startCollectionsApp('settings-test-email');
  capture = await startSmtpCapture();
  superuserToken = (await createAuthRecord(testApp.app, '_superusers', 'root@example.com')).token;
  userToken = (await createAuthRecord(testApp.app, 'users', 'u@example.com')).token;
  await testApp.app.get(SettingsService).update({
    ...smtpSettingsFor(capture),
    meta: {
      appName: 'Hive',
      appURL: 'https://hive.example.com',
      senderName: 'Hive',
      senderAddress: 'hive@example.com',
    },
  });
});

beforeEach(() => capture.clear());

afterAll(async () => {
  await testApp?.app.close();
  await capture?.close();
  await testApp?.database.drop();
});

describe('POST /api/settings/test/email', () => {
  it.each([
    [
      'verification',
      'Verify your Hive email',
      'https://hive.example.com/_/#/auth/confirm-verification/__hb_test_token__',
    ],
    ['password-reset', 'Reset your Hive password', '/_/#/auth/confirm-password-reset/__hb_test_token__'],
    ['email-change', 'Confirm your new Hive email address', '/_/#/auth/confirm-email-change/__hb_test_token__'],
    ['otp', 'One-time password for Hive', '<strong>123456</strong>'],
    ['login-alert', 'New sign-in to your Hive account', ' - 127.0.0.1 TEST_USER_AGENT'],
  ])(
    'sends the %s template of _superusers to the address, rendered, and answers 204',
    async (template, subject, part) => {
      const response = await sendTestEmail({ email: 'tester@example.com', template });
      expect(response).toMatchObject({ status: 204, text: '' });
      const mail = await capture.waitForMail((m) => m.subject === subject);
      expect(mail.to).toEqual(['tester@example.com']);
      expect(mail.from).toBe('"Hive" <hive@example.com>');
      expect(mail.html).toContain(part);
      expect(mail.html).not.toMatch(/\{(APP_NAME|APP_URL|TOKEN|OTP|ALERT_INFO)\}/);
    },
  );

  it("renders the chosen collection's own template, {RECORD:field} from a sample record", async () => {
    const patched = await call('PATCH', '/api/collections/users', {
      verificationTemplate: {
        subject: 'Hello {RECORD:name}',
        body: '<p>{RECORD:name} / {RECORD:email} / {RECORD:password} / {RECORD:tokenKey}</p>',
      },
    });
    expect(patched.status).toBe(200);

    expect(
      (await sendTestEmail({ email: 'member@example.com', template: 'verification', collection: 'users' })).status,
    ).toBe(204);
    const mail = await capture.waitForMail((m) => m.subject === 'Hello __hb_test_name__');
    expect(mail.html).toContain('<p>__hb_test_name__ / member@example.com / {RECORD:password} / {RECORD:tokenKey}</p>');
  });

  it('takes the collection by id as well', async () => {
    const body = { email: 'root2@example.com', template: 'otp', collection: SUPERUSERS_COLLECTION_ID };
    expect((await sendTestEmail(body)).status).toBe(204);
    await capture.waitForMail((m) => m.to.includes('root2@example.com'));
  });

  it.each([
    ['a guest', '', 401, 'The request requires valid record authorization token.'],
    ['a users record', 'user', 403, 'The authorized record is not allowed to perform this action.'],
  ])('refuses %s', async (_who, which, status, message) => {
    const token = which === 'user' ? userToken : '';
    const response = await sendTestEmail({ email: 'x@example.com', template: 'verification' }, token);
    expect(response).toMatchObject({ status, body: { data: {}, message, status } });
    expect(capture.messages).toEqual([]);
  });

  const FAILED = 'Failed to send the test email.';
  const required = { code: 'validation_required', message: 'Cannot be blank.' };
  const badEmail = { code: 'validation_is_email', message: 'Must be a valid email address.' };
  const badTemplate = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
  const badCollection = {
    code: 'validation_invalid_auth_collection',
    message: 'Must be a valid auth collection id or name.',
  };

  it.each<[string, unknown, string, Json]>([
    ['an empty body', {}, FAILED, { email: required, template: required }],
    ['a missing email', { template: 'otp' }, FAILED, { email: required }],
    ['a bad email', { email: 'not-an-email', template: 'otp' }, FAILED, { email: badEmail }],
    ['an unknown template', { email: 'a@example.com', template: 'welcome' }, FAILED, { template: badTemplate }],
    [
      'a base collection',
      { email: 'a@example.com', template: 'otp', collection: '_mfas' },
      FAILED,
      { collection: badCollection },
    ],
    [
      'an unknown collection',
      { email: 'a@example.com', template: 'otp', collection: 'nope' },
      FAILED,
      { collection: badCollection },
    ],
    [
      'a too long collection',
      { email: 'a@example.com', template: 'otp', collection: 'c'.repeat(256) },
      FAILED,
      {
        collection: {
          code: 'validation_length_out_of_range',
          message: 'The length must be between 1 and 255.',
          params: { min: 1, max: 255 },
        },
      },
    ],
    [
      'a value of the wrong type',
      { email: 5, template: 'otp' },
      'An error occurred while loading the submitted data.',
      {},
    ],
    ['an array body', [], 'An error occurred while loading the submitted data.', {}],
  ])('answers %s with a PocketBase 400 and sends nothing', async (_case, body, message, data) => {
    const response = await sendTestEmail(body);
    expect(response).toMatchObject({ status: 400, body: { data, message, status: 400 } });
    expect(capture.messages).toEqual([]);
  });

  it('orders field errors as Go does', async () => {
    const response = await sendTestEmail({ template: 'x', collection: 'nope', email: 'bad' });
    expect(response.text).toMatch(/^\{"data":\{"collection":\{.*\},"email":\{.*\},"template":\{.*\}\},"message"/);
  });

  describe('when the mail cannot be sent', () => {
    const settings = () => testApp.app.get(SettingsService);
    afterAll(() => settings().update(smtpSettingsFor(capture)));

    it('answers 400 when the SMTP server is unreachable', async () => {
      await settings().update({ smtp: { port: await freePort() } });
      const response = await sendTestEmail({ email: 'a@example.com', template: 'verification' });
      expect(response.status).toBe(400);
      expect(response.body.data).toEqual({});
      expect(response.body.message).toMatch(/^Failed to send the test email\. Raw error: \n.+/);
    });

    it('answers 400 when SMTP is disabled', async () => {
      await settings().update({ smtp: { enabled: false } });
      const response = await sendTestEmail({ email: 'a@example.com', template: 'verification' });
      expect(response.status).toBe(400);
      expect(response.body.message).toMatch(/^Failed to send the test email\. Raw error: \nSMTP is disabled/);
    });
  });
});
