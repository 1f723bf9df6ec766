import type { AuthOptions, EmailTemplate, TokenConfig } from '../model/collection.model';
import { randomString } from '../util/random';

const template = (subject: string, lines: string[]): EmailTemplate => ({ subject, body: lines.join('\n') });

// Hivebase's own wording; the placeholders are PocketBase's.
const VERIFICATION = template('Verify your {APP_NAME} email', [
  '<p>Hello,</p>',
  '<p>Please confirm your email address for {APP_NAME} by following the link below.</p>',
  '<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-verification/{TOKEN}" target="_blank" rel="noopener">Confirm email</a></p>',
  '<p>If this was not you, you can ignore this message.</p>',
]);
const RESET_PASSWORD = template('Reset your {APP_NAME} password', [
  '<p>Hello,</p>',
  '<p>A password reset was requested for your {APP_NAME} account. Follow the link below to choose a new password.</p>',
  '<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-password-reset/{TOKEN}" target="_blank" rel="noopener">Choose a new password</a></p>',
  '<p>If you did not ask for this, you can ignore this message.</p>',
]);
const CONFIRM_EMAIL_CHANGE = template('Confirm your new {APP_NAME} email address', [
  '<p>Hello,</p>',
  '<p>Follow the link below to confirm your new email address for {APP_NAME}.</p>',
  '<p><a class="btn" href="{APP_URL}/_/#/auth/confirm-email-change/{TOKEN}" target="_blank" rel="noopener">Confirm new email</a></p>',
  '<p>If you did not ask for this, you can ignore this message.</p>',
]);
const OTP = template('One-time password for {APP_NAME}', [
  '<p>Hello,</p>',
  '<p>Your one-time password for {APP_NAME} is: <strong>{OTP}</strong></p>',
  '<p>If you did not ask for it, you can ignore this message.</p>',
]);
const AUTH_ALERT = template('New sign-in to your {APP_NAME} account', [
  '<p>Hello,</p>',
  '<p>Your {APP_NAME} account was just signed in to from a new location: {ALERT_INFO}</p>',
  '<p>If this was not you, change your password at once to revoke access from every other device.</p>',
]);

const token = (duration: number): TokenConfig => ({ duration, secret: randomString(50) });

/** Options of a new auth collection, as PocketBase's defaults (fresh random token secrets). */
export function defaultAuthOptions(): AuthOptions {
  return {
    authRule: '',
    manageRule: null,
    authAlert: { enabled: true, emailTemplate: AUTH_ALERT },
    oauth2: { enabled: false, mappedFields: { id: '', name: '', username: '', avatarURL: '' }, providers: [] },
    passwordAuth: { enabled: true, identityFields: ['email'] },
    mfa: { enabled: false, duration: 600, rule: '' },
    otp: { enabled: false, duration: 180, length: 8, emailTemplate: OTP },
    authToken: token(432_000),
    passwordResetToken: token(1800),
    emailChangeToken: token(1800),
    verificationToken: token(86_400),
    fileToken: token(180),
    verificationTemplate: VERIFICATION,
    resetPasswordTemplate: RESET_PASSWORD,
    confirmEmailChangeTemplate: CONFIRM_EMAIL_CHANGE,
  };
}

export const TOKEN_KINDS = [
  'authToken',
  'passwordResetToken',
  'emailChangeToken',
  'verificationToken',
  'fileToken',
] as const;
export type TokenKind = (typeof TOKEN_KINDS)[number];
