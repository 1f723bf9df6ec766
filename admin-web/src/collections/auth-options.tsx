import {
  Accordion,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  Select,
  SimpleGrid,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { type FieldErrors, toShownError } from '../api-errors';
import { pb } from '../pb';

type Options = Record<string, unknown>;
type Section = Record<string, unknown>;

interface ProviderInfo {
  name: string;
  displayName: string;
}

interface Provider {
  name: string;
  clientId?: string;
  clientSecret?: string;
  authURL?: string;
  tokenURL?: string;
  userInfoURL?: string;
  displayName?: string;
  pkce?: boolean | null;
  [key: string]: unknown;
}

const section = (draft: Options, key: string): Section => (draft[key] as Section | undefined) ?? {};
const str = (value: unknown) => (typeof value === 'string' ? value : '');
const num = (value: unknown) => (typeof value === 'number' ? value : 0);

const TOKENS: [string, string][] = [
  ['authToken', 'Auth token'],
  ['verificationToken', 'Email verification token'],
  ['passwordResetToken', 'Password reset token'],
  ['emailChangeToken', 'Email change token'],
  ['fileToken', 'Protected file access token'],
];

// Each template's key in the collection and its name for `POST /api/settings/test/email`.
const TEMPLATES: [string, string, string][] = [
  ['verificationTemplate', 'Verification', 'verification'],
  ['resetPasswordTemplate', 'Password reset', 'password-reset'],
  ['confirmEmailChangeTemplate', 'Confirm email change', 'email-change'],
];

/** Sends one of the collection's saved templates to an address through the saved mail settings. */
function TemplateTestSend({ collection, template, label }: { collection: string; template: string; label: string }) {
  const [email, setEmail] = useState('');
  const [result, setResult] = useState<{ ok: boolean; text: string; fields: FieldErrors } | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    setResult(null);
    try {
      await pb.settings.testEmail(collection, email, template);
      setResult({ ok: true, text: `Test email sent to ${email}.`, fields: {} });
    } catch (caught) {
      const shown = toShownError(caught);
      setResult({ ok: false, text: shown.message, fields: shown.fields });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap={2}>
      <Group gap="xs" align="flex-start">
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          aria-label={`${label} test email address`}
          placeholder="Send the saved template to… (to@example.com)"
          value={email}
          error={result?.fields.email ?? result?.fields.template}
          onChange={(e) => setEmail(e.currentTarget.value)}
        />
        <Button size="xs" variant="light" loading={busy} onClick={() => void send()}>
          Send {label.toLowerCase()} test
        </Button>
      </Group>
      {result && (
        <Text size="xs" c={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </Text>
      )}
    </Stack>
  );
}

/**
 * An auth collection's options: password, OTP, MFA and OAuth2 sign-in (each provider with its
 * config form), token durations and the account mail templates. Errors by their API path.
 */
export function AuthOptions({
  draft,
  errors,
  onChange,
}: {
  draft: Options;
  errors: FieldErrors;
  onChange: (patch: Options) => void;
}) {
  const providers = useQuery({
    queryKey: ['oauth2-providers'],
    queryFn: () => pb.send<ProviderInfo[]>('/api/collections/meta/oauth2-providers', {}),
  });
  const set = (key: string, patch: Section) => onChange({ [key]: { ...section(draft, key), ...patch } });
  const password = section(draft, 'passwordAuth');
  const otp = section(draft, 'otp');
  const mfa = section(draft, 'mfa');
  const oauth2 = section(draft, 'oauth2');
  const configured = (oauth2.providers as Provider[] | undefined) ?? [];
  const setProviders = (next: Provider[]) => set('oauth2', { providers: next });
  const available = (providers.data ?? []).filter((p) => !configured.some((c) => c.name === p.name));

  return (
    <Accordion multiple defaultValue={['password', 'oauth2']} variant="separated">
      <Accordion.Item value="password">
        <Accordion.Control>Identity/Password</Accordion.Control>
        <Accordion.Panel>
          <Checkbox
            label="Enable password auth"
            checked={Boolean(password.enabled)}
            onChange={(e) => set('passwordAuth', { enabled: e.currentTarget.checked })}
          />
          <TextInput
            mt="xs"
            label="Identity fields"
            description="Comma separated (fields with a unique index)"
            error={errors['passwordAuth.identityFields']}
            value={((password.identityFields as string[] | undefined) ?? []).join(', ')}
            onChange={(e) =>
              set('passwordAuth', {
                identityFields: e.currentTarget.value
                  .split(',')
                  .map((v) => v.trim())
                  .filter(Boolean),
              })
            }
          />
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="oauth2">
        <Accordion.Control>OAuth2</Accordion.Control>
        <Accordion.Panel>
          <Stack>
            <Checkbox
              label="Enable OAuth2 auth"
              checked={Boolean(oauth2.enabled)}
              onChange={(e) => set('oauth2', { enabled: e.currentTarget.checked })}
            />
            {configured.map((provider, index) => {
              const at = (key: string) => errors[`oauth2.providers.${index}.${key}`];
              const update = (patch: Partial<Provider>) =>
                setProviders(configured.map((p, i) => (i === index ? { ...p, ...patch } : p)));
              const info = providers.data?.find((p) => p.name === provider.name);
              return (
                <Paper key={provider.name} withBorder p="sm" data-testid={`provider-${provider.name}`}>
                  <Group justify="space-between" mb="xs">
                    <Text fw={600}>{info?.displayName ?? provider.name}</Text>
                    <Button
                      size="xs"
                      variant="subtle"
                      color="red"
                      onClick={() => setProviders(configured.filter((_, i) => i !== index))}
                    >
                      Remove
                    </Button>
                  </Group>
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <TextInput
                      label="Client ID"
                      value={str(provider.clientId)}
                      error={at('clientId')}
                      onChange={(e) => update({ clientId: e.currentTarget.value })}
                    />
                    <TextInput
                      label="Client secret"
                      type="password"
                      placeholder="Unchanged"
                      value={str(provider.clientSecret)}
                      error={at('clientSecret')}
                      onChange={(e) => update({ clientSecret: e.currentTarget.value })}
                    />
                    <TextInput
                      label="Display name"
                      value={str(provider.displayName)}
                      error={at('displayName')}
                      onChange={(e) => update({ displayName: e.currentTarget.value })}
                    />
                    <Select
                      label="PKCE"
                      value={provider.pkce === true ? 'true' : provider.pkce === false ? 'false' : 'auto'}
                      error={at('pkce')}
                      data={[
                        { value: 'auto', label: 'Provider default' },
                        { value: 'true', label: 'On' },
                        { value: 'false', label: 'Off' },
                      ]}
                      onChange={(next) => update({ pkce: next === 'true' ? true : next === 'false' ? false : null })}
                    />
                    <TextInput
                      label="Auth URL"
                      value={str(provider.authURL)}
                      error={at('authURL')}
                      onChange={(e) => update({ authURL: e.currentTarget.value })}
                    />
                    <TextInput
                      label="Token URL"
                      value={str(provider.tokenURL)}
                      error={at('tokenURL')}
                      onChange={(e) => update({ tokenURL: e.currentTarget.value })}
                    />
                    <TextInput
                      label="User info URL"
                      value={str(provider.userInfoURL)}
                      error={at('userInfoURL')}
                      onChange={(e) => update({ userInfoURL: e.currentTarget.value })}
                    />
                  </SimpleGrid>
                  {Object.entries(errors)
                    .filter(
                      ([path]) =>
                        path.startsWith(`oauth2.providers.${index}.`) &&
                        ![
                          'clientId',
                          'clientSecret',
                          'displayName',
                          'pkce',
                          'authURL',
                          'tokenURL',
                          'userInfoURL',
                        ].includes(path.split('.')[3] ?? ''),
                    )
                    .map(([path, message]) => (
                      <Text key={path} size="xs" c="red">
                        {path.split('.').slice(3).join('.')}: {message}
                      </Text>
                    ))}
                </Paper>
              );
            })}
            {errors['oauth2.providers'] && (
              <Text size="xs" c="red">
                {errors['oauth2.providers']}
              </Text>
            )}
            <Select
              aria-label="Add OAuth2 provider"
              placeholder="+ Add provider"
              searchable
              value={null}
              data={available.map((p) => ({ value: p.name, label: p.displayName }))}
              onChange={(name) => name && setProviders([...configured, { name, clientId: '', clientSecret: '' }])}
            />
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="otp">
        <Accordion.Control>One-time password (OTP)</Accordion.Control>
        <Accordion.Panel>
          <Checkbox
            label="Enable OTP"
            checked={Boolean(otp.enabled)}
            onChange={(e) => set('otp', { enabled: e.currentTarget.checked })}
          />
          <SimpleGrid cols={2} mt="xs">
            <NumberInput
              label="Duration (seconds)"
              value={num(otp.duration)}
              error={errors['otp.duration']}
              onChange={(v) => set('otp', { duration: Number(v) || 0 })}
            />
            <NumberInput
              label="Password length"
              value={num(otp.length)}
              error={errors['otp.length']}
              onChange={(v) => set('otp', { length: Number(v) || 0 })}
            />
          </SimpleGrid>
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="mfa">
        <Accordion.Control>Multi-factor authentication (MFA)</Accordion.Control>
        <Accordion.Panel>
          <Checkbox
            label="Enable MFA"
            checked={Boolean(mfa.enabled)}
            onChange={(e) => set('mfa', { enabled: e.currentTarget.checked })}
          />
          <SimpleGrid cols={2} mt="xs">
            <NumberInput
              label="MFA duration (seconds)"
              value={num(mfa.duration)}
              error={errors['mfa.duration']}
              onChange={(v) => set('mfa', { duration: Number(v) || 0 })}
            />
            <TextInput
              label="MFA rule"
              value={str(mfa.rule)}
              error={errors['mfa.rule']}
              onChange={(e) => set('mfa', { rule: e.currentTarget.value })}
            />
          </SimpleGrid>
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="tokens">
        <Accordion.Control>Token durations</Accordion.Control>
        <Accordion.Panel>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {TOKENS.map(([key, label]) => (
              <NumberInput
                key={key}
                label={`${label} (seconds)`}
                value={num(section(draft, key).duration)}
                error={errors[`${key}.duration`]}
                onChange={(v) => set(key, { duration: Number(v) || 0 })}
              />
            ))}
          </SimpleGrid>
        </Accordion.Panel>
      </Accordion.Item>
      <Accordion.Item value="templates">
        <Accordion.Control>Mail templates</Accordion.Control>
        <Accordion.Panel>
          <Stack>
            {TEMPLATES.map(([key, label, template]) => (
              <Stack key={key} gap={4}>
                <TextInput
                  label={`${label} subject`}
                  value={str(section(draft, key).subject)}
                  error={errors[`${key}.subject`]}
                  onChange={(e) => set(key, { subject: e.currentTarget.value })}
                />
                <Textarea
                  label={`${label} body`}
                  autosize
                  minRows={3}
                  maxRows={10}
                  value={str(section(draft, key).body)}
                  error={errors[`${key}.body`]}
                  styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                  onChange={(e) => set(key, { body: e.currentTarget.value })}
                />
                {typeof draft.id === 'string' && draft.id !== '' && (
                  <TemplateTestSend collection={draft.id} template={template} label={label} />
                )}
              </Stack>
            ))}
          </Stack>
        </Accordion.Panel>
      </Accordion.Item>
    </Accordion>
  );
}
