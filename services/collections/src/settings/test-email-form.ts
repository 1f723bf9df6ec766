import type { ErrorData, FieldError } from '@hivebase/contracts';
import { badRequest } from '@hivebase/platform';
import { type AuthMailKind, isEmail } from '@hivebase/runtime';

/** PocketBase's test template names, and the auth mail each one renders. */
export const TEST_EMAIL_TEMPLATES: Record<string, AuthMailKind> = {
  verification: 'verification',
  'password-reset': 'passwordReset',
  'email-change': 'emailChange',
  otp: 'otp',
  'login-alert': 'authAlert',
};

/** `POST /api/settings/test/email`'s body, as PocketBase's `forms.TestEmailSend` binds it. */
export interface TestEmailForm {
  email: string;
  template: string;
  /** Auth collection id or name; empty means `_superusers`. */
  collection: string;
}

// ozzo-validation's errors, sentenised as PocketBase answers them.
const required = (): FieldError => ({ code: 'validation_required', message: 'Cannot be blank.' });
const lengthOutOfRange = (): FieldError => ({
  code: 'validation_length_out_of_range',
  message: 'The length must be between 1 and 255.',
  params: { min: 1, max: 255 },
});

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const loadFailed = () => badRequest('An error occurred while loading the submitted data.');

function stringOrThrow(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw loadFailed();
  return value;
}

/** Reads the body as Go's JSON binding would: a value of the wrong type is a 400 without field data. */
export function readTestEmailForm(body: unknown): TestEmailForm {
  const raw = body ?? {};
  if (!isObject(raw)) throw loadFailed();
  return {
    email: stringOrThrow(raw.email),
    template: stringOrThrow(raw.template),
    collection: stringOrThrow(raw.collection),
  };
}

/**
 * Field errors of the form, keyed alphabetically as Go writes them. `isAuthCollection` answers
 * whether an id or name names an auth collection.
 */
export function validateTestEmailForm(form: TestEmailForm, isAuthCollection: (idOrName: string) => boolean): ErrorData {
  const errors: ErrorData = {};
  if (form.collection.length > 255) errors.collection = lengthOutOfRange();
  else if (form.collection !== '' && !isAuthCollection(form.collection)) {
    errors.collection = {
      code: 'validation_invalid_auth_collection',
      message: 'Must be a valid auth collection id or name.',
    };
  }
  if (form.email === '') errors.email = required();
  else if (form.email.length > 255) errors.email = lengthOutOfRange();
  else if (!isEmail(form.email))
    errors.email = { code: 'validation_is_email', message: 'Must be a valid email address.' };
  if (form.template === '') errors.template = required();
  else if (!Object.hasOwn(TEST_EMAIL_TEMPLATES, form.template)) {
    errors.template = { code: 'validation_in_invalid', message: 'Must be a valid value.' };
  }
  return errors;
}
