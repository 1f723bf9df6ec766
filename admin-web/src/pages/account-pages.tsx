import { Alert, Button, Loader, PasswordInput, Text, TextInput } from '@mantine/core';
import { getTokenPayload } from 'pocketbase';
import { type FormEvent, type ReactNode, useEffect, useRef, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import { pb, SUPERUSERS } from '../pb';
import { CenteredCard } from './centered-card';

/** The auth collection a mailed token belongs to (its `collectionId` claim). */
const collectionOf = (token: string): string => String(getTokenPayload(token).collectionId ?? '');

function ErrorAlert({ error }: { error: ShownError | null }) {
  return error ? (
    <Alert color="red" mb="sm" role="alert">
      {error.message}
    </Alert>
  ) : null;
}

function Done({ title, children }: { title: string; children: ReactNode }) {
  return (
    <CenteredCard title={title}>
      <Alert color="green" role="status">
        {children}
      </Alert>
    </CenteredCard>
  );
}

/** "Forgotten password": asks for a superuser password reset mail. */
export function RequestPasswordResetPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await pb.collection(SUPERUSERS).requestPasswordReset(email);
      setSent(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };
  if (sent)
    return <Done title="Check your email">If {email} is a superuser, a password reset link is on its way.</Done>;
  return (
    <CenteredCard title="Forgotten superuser password">
      <form onSubmit={submit} noValidate>
        <TextInput
          label="Email"
          type="email"
          required
          autoFocus
          value={email}
          error={error?.fields.email}
          mb="sm"
          onChange={(event) => setEmail(event.currentTarget.value)}
        />
        <ErrorAlert error={error} />
        <Button type="submit" fullWidth loading={busy}>
          Send reset link
        </Button>
        <Button component="a" href="#/login" variant="subtle" fullWidth mt="xs">
          Back to login
        </Button>
      </form>
    </CenteredCard>
  );
}

/** The page the password reset mails link to, for any auth collection. */
export function ConfirmPasswordResetPage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [passwordConfirm, setPasswordConfirm] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await pb.collection(collectionOf(token)).confirmPasswordReset(token, password, passwordConfirm);
      setDone(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };
  if (done) return <Done title="Password changed">Your password was changed. You can sign in with it now.</Done>;
  return (
    <CenteredCard title="Reset your password">
      <form onSubmit={submit} noValidate>
        <PasswordInput
          label="New password"
          required
          autoFocus
          autoComplete="new-password"
          value={password}
          mb="sm"
          error={error?.fields.password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <PasswordInput
          label="New password confirm"
          required
          autoComplete="new-password"
          value={passwordConfirm}
          mb="sm"
          error={error?.fields.passwordConfirm}
          onChange={(event) => setPasswordConfirm(event.currentTarget.value)}
        />
        <ErrorAlert
          error={error?.fields.token ? { ...error, message: `${error.message} ${error.fields.token}` } : error}
        />
        <Button type="submit" fullWidth loading={busy}>
          Set new password
        </Button>
      </form>
    </CenteredCard>
  );
}

/** The page the verification mails link to: confirms at once. */
export function ConfirmVerificationPage({ token }: { token: string }) {
  const [state, setState] = useState<'busy' | 'done' | ShownError>('busy');
  const started = useRef(false);
  useEffect(() => {
    // Once, even under StrictMode's double effects: the token is single-use.
    if (started.current) return;
    started.current = true;
    pb.collection(collectionOf(token))
      .confirmVerification(token)
      .then(() => setState('done'))
      .catch((caught: unknown) => setState(toShownError(caught)));
  }, [token]);
  if (state === 'busy')
    return (
      <CenteredCard title="Verifying your email">
        <Loader aria-label="Verifying" />
      </CenteredCard>
    );
  if (state === 'done') return <Done title="Email verified">Your email address is verified.</Done>;
  return (
    <CenteredCard title="Invalid or expired link">
      <Text>{state.message}</Text>
    </CenteredCard>
  );
}

/** The page the email change mails link to: the account's password confirms the change. */
export function ConfirmEmailChangePage({ token }: { token: string }) {
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const newEmail = String(getTokenPayload(token).newEmail ?? '');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await pb.collection(collectionOf(token)).confirmEmailChange(token, password);
      setDone(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };
  if (done) return <Done title="Email changed">Your email address is now {newEmail}.</Done>;
  return (
    <CenteredCard title={`Change your email to ${newEmail}`}>
      <form onSubmit={submit} noValidate>
        <PasswordInput
          label="Password"
          required
          autoFocus
          value={password}
          mb="sm"
          error={error?.fields.password}
          onChange={(event) => setPassword(event.currentTarget.value)}
        />
        <ErrorAlert error={error} />
        <Button type="submit" fullWidth loading={busy}>
          Confirm new email
        </Button>
      </form>
    </CenteredCard>
  );
}

/** Where `/api/oauth2-redirect` sends the browser when an OAuth2 sign-in ends (PocketBase's pages). */
export function OAuth2RedirectPage({ success }: { success: boolean }) {
  return success ? (
    <Done title="Auth completed">You can close this window and go back to the app.</Done>
  ) : (
    <CenteredCard title="Auth failed">
      <Text>The OAuth2 sign-in failed. Close this window and try again from the app.</Text>
    </CenteredCard>
  );
}
