import { Alert, Button, PasswordInput, TextInput } from '@mantine/core';
import { type FormEvent, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import { pb, SUPERUSERS } from '../pb';
import { CenteredCard } from './centered-card';

export function LoginPage() {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await pb.collection(SUPERUSERS).authWithPassword(email, password);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <CenteredCard title="Superuser login">
      <form onSubmit={submit}>
        <TextInput
          label="Email"
          type="email"
          autoComplete="username"
          required
          autoFocus
          value={email}
          onChange={(event) => setEmail(event.currentTarget.value)}
          error={error?.fields.identity}
          mb="sm"
        />
        <PasswordInput
          label="Password"
          autoComplete="current-password"
          required
          value={password}
          onChange={(event) => setPassword(event.currentTarget.value)}
          error={error?.fields.password}
          mb="sm"
        />
        {error && (
          <Alert color="red" mb="sm" role="alert">
            {error.message}
          </Alert>
        )}
        <Button type="submit" fullWidth loading={busy}>
          Login
        </Button>
        <Button component="a" href="#/request-password-reset" variant="subtle" fullWidth mt="xs">
          Forgotten password?
        </Button>
      </form>
    </CenteredCard>
  );
}
