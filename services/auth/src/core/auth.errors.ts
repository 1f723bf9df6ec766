import { codedError } from '@hivebase/contracts';

/**
 * Every refusal of the auth service: its code, HTTP status and PocketBase message (`{name}` marks
 * a part filled in when thrown). Thrown as `AuthError`; the platform's one mapping writes it as
 * `{data, message, status}`.
 */
export const AUTH_ERRORS = {
  auth_validation_failed: { status: 400, message: 'An error occurred while validating the submitted data.' },
  auth_load_failed: { status: 400, message: 'An error occurred while loading the submitted data.' },
  auth_failed: { status: 400, message: 'Failed to authenticate.' },
  auth_invalid_otp: { status: 400, message: 'Invalid or expired OTP' },
  auth_mfa_expired: { status: 400, message: 'Invalid or expired MFA session.' },
  auth_mfa_invalid: { status: 400, message: 'Invalid MFA session.' },
  auth_mfa_same_method: { status: 400, message: 'A different authentication method is required.' },
  auth_password_reset_disabled: {
    status: 400,
    message: 'The collection is not configured to allow password authentication.',
  },
  auth_superusers_verified: { status: 400, message: 'All superusers are verified by default.' },
  auth_superusers_email_change: { status: 400, message: 'All superusers can change their emails directly.' },
  auth_save_verified_failed: { status: 400, message: 'An error occurred while saving the verified state.' },
  auth_set_password_failed: { status: 400, message: 'Failed to set new password.' },
  auth_email_change_request_failed: { status: 400, message: 'Failed to request email change.' },
  auth_email_change_confirm_failed: { status: 400, message: 'Failed to confirm email change.' },
  auth_oauth2_token_failed: { status: 400, message: 'Failed to fetch OAuth2 token.' },
  auth_oauth2_user_failed: { status: 400, message: 'Failed to fetch OAuth2 user.' },
  auth_token_required: { status: 401, message: 'The request requires valid record authorization token.' },
  auth_wrong_collection: { status: 403, message: 'The request requires auth record from {collection} collection.' },
  auth_rule_unmet: { status: 403, message: "The request doesn't satisfy the collection requirements to authenticate." },
  auth_password_disabled: {
    status: 403,
    message: 'The collection is not configured to allow password authentication.',
  },
  auth_otp_disabled: { status: 403, message: 'The collection is not configured to allow OTP authentication.' },
  auth_oauth2_disabled: { status: 403, message: 'The collection is not configured to allow OAuth2 authentication.' },
  auth_not_found: { status: 404, message: "The requested resource wasn't found." },
  auth_provider_init_failed: { status: 500, message: 'Failed to init provider {provider}' },
} as const satisfies Record<string, { status: 400 | 401 | 403 | 404 | 500; message: string }>;

export type AuthErrorCode = keyof typeof AUTH_ERRORS;

/** An auth refusal by code (see {@link AUTH_ERRORS}), with field errors in `data`. */
export class AuthError extends codedError('AuthError', AUTH_ERRORS) {}
