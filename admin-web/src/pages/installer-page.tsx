import { Alert, Button, Code, PasswordInput, Text, TextInput } from '@mantine/core';
import PocketBase, { BaseAuthStore, getTokenPayload, isTokenExpired } from 'pocketbase';
import { type FormEvent, useMemo, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import { pb, SUPERUSERS } from '../pb';
import { navigate } from '../router';
import { CenteredCard } from './centered-card';

const INSTALLER_EMAIL = '__pbinstaller@example.com';

/**
 * PocketBase's first-run page (`#/pbinstall/{token}`): the token printed by `serve` belongs to
 * a placeholder superuser; with it this page creates the real first one, signs in as it and
 * removes the placeholder.
 */
export function InstallerPage({ token }: { token: string }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [passwordConfirm, setPasswordConfirm] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const expired = useMemo(() => isTokenExpired(token) || !getTokenPayload(token).id, [token]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    // The installer token stays in memory: it never becomes the dashboard's stored session.
    const installer = new PocketBase(pb.baseURL, new BaseAuthStore());
    installer.autoCancellation(false);
    installer.authStore.save(token, null);
    try {
      await installer.collection(SUPERUSERS).create({ email, password, passwordConfirm });
      await pb.collection(SUPERUSERS).authWithPassword(email, password);
    } catch (caught) {
      setError(toShownError(caught));
      setBusy(false);
      return;
    }
    try {
      const placeholder = await pb
        .collection(SUPERUSERS)
        .getFirstListItem(pb.filter('email = {:email}', { email: INSTALLER_EMAIL }));
      await pb.collection(SUPERUSERS).delete(placeholder.id);
    } catch {
      // Already gone (or removed at the next start of `serve`): nothing to do.
    }
    navigate('/collections');
  };

  if (expired) {
    return (
      <CenteredCard title="Installer link expired">
        <Text>
          This link no longer works. Restart <Code>hivebase serve</Code> for a new one, or create the first superuser
          with <Code>hivebase superuser upsert EMAIL PASSWORD</Code>.
        </Text>
      </CenteredCard>
    );
  }

  return (
    <CenteredCard title="Create your first superuser">
      <form onSubmit={submit}>
        <TextInput
          label="Email"
          type="email"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={error?.fields.email}
          mb="sm"
        />
        <PasswordInput
          label="Password"
          required
          autoComplete="new-password"
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={error?.fields.password}
          mb="sm"
        />
        <PasswordInput
          label="Password confirm"
          required
          autoComplete="new-password"
          value={passwordConfirm}
          onChange={(event) => setPasswordConfirm(event.currentTarget.value)}
          error={error?.fields.passwordConfirm}
          mb="sm"
        />
        {error && (
          <Alert color="red" mb="sm" role="alert">
            {error.message}
          </Alert>
        )}
        <Button type="submit" fullWidth loading={busy}>
          Create superuser and login
        </Button>
      </form>
    </CenteredCard>
  );
}
