import { createPrivateKey } from 'node:crypto';
import type { ErrorData, FieldError } from '@hivebase/contracts';
import { badRequest } from '@hivebase/platform';
import jwt from 'jsonwebtoken';
import { CollectionsError } from '../collections.errors';

/** Apple's longest client-secret lifetime (about six months), in seconds. */
export const MAX_APPLE_SECRET_SECONDS = 15_777_000;

const PRIVATE_KEY = /-----BEGIN PRIVATE KEY----[\s\S]+-----END PRIVATE KEY-----/m;

interface AppleSecretForm {
  clientId: string;
  teamId: string;
  keyId: string;
  privateKey: string;
  duration: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const loadFailed = () => badRequest('An error occurred while loading the submitted data.');

/** Reads the body as Go's JSON binding would: a value of the wrong type is a 400 without field data. */
function readForm(body: unknown): AppleSecretForm {
  const raw = body ?? {};
  if (!isObject(raw)) throw loadFailed();
  const text = (key: string): string => {
    const value = raw[key];
    if (value === undefined || value === null) return '';
    if (typeof value !== 'string') throw loadFailed();
    return value;
  };
  const duration = raw.duration ?? 0;
  if (typeof duration !== 'number' || !Number.isInteger(duration)) throw loadFailed();
  return {
    clientId: text('clientId'),
    teamId: text('teamId'),
    keyId: text('keyId'),
    privateKey: text('privateKey'),
    duration,
  };
}

const REQUIRED: FieldError = { code: 'validation_required', message: 'Cannot be blank.' };
const EXACTLY_10: FieldError = {
  code: 'validation_length_invalid',
  message: 'The length must be exactly 10.',
  params: { length: 10 },
};

/** PocketBase's `AppleClientSecretCreate` rules, keys in Go's (sorted) order. */
function validate(form: AppleSecretForm): ErrorData {
  const errors: ErrorData = {};
  if (form.clientId === '') errors.clientId = REQUIRED;
  if (form.duration === 0) errors.duration = REQUIRED;
  else if (form.duration < 1) {
    errors.duration = {
      code: 'validation_min_greater_equal_than_required',
      message: 'Must be no less than 1.',
      params: { threshold: 1 },
    };
  } else if (form.duration > MAX_APPLE_SECRET_SECONDS) {
    errors.duration = {
      code: 'validation_max_less_equal_than_required',
      message: `Must be no greater than ${MAX_APPLE_SECRET_SECONDS}.`,
      params: { threshold: MAX_APPLE_SECRET_SECONDS },
    };
  }
  if (form.keyId === '') errors.keyId = REQUIRED;
  else if (form.keyId.length !== 10) errors.keyId = EXACTLY_10;
  if (form.privateKey === '') errors.privateKey = REQUIRED;
  else if (!PRIVATE_KEY.test(form.privateKey)) {
    errors.privateKey = { code: 'validation_match_invalid', message: 'Must be in a valid format' };
  }
  if (form.teamId === '') errors.teamId = REQUIRED;
  else if (form.teamId.length !== 10) errors.teamId = EXACTLY_10;
  return errors;
}

/**
 * `POST /api/settings/apple/generate-client-secret`: the ES256 JWT Apple takes as the OAuth2
 * client secret of "Sign in with Apple", signed with the developer's private key (.p8).
 */
export function generateAppleClientSecret(body: unknown): { secret: string } {
  const form = readForm(body);
  const errors = validate(form);
  if (Object.keys(errors).length > 0) {
    throw new CollectionsError('collections_validation_failed', errors);
  }
  try {
    const key = createPrivateKey(form.privateKey.trim());
    const now = Math.floor(Date.now() / 1000);
    const secret = jwt.sign(
      { aud: 'https://appleid.apple.com', sub: form.clientId, iss: form.teamId, iat: now, exp: now + form.duration },
      key,
      { algorithm: 'ES256', keyid: form.keyId },
    );
    return { secret };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CollectionsError('collections_apple_secret_failed', {}, { params: { reason }, cause: error });
  }
}
