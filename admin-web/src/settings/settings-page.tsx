import {
  Alert,
  Button,
  Checkbox,
  Group,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  SimpleGrid,
  Stack,
  Tabs,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { useState } from 'react';
import { toShownError } from '../api-errors';
import { EdgeSettings } from '../logs/edge-settings';
import { pb } from '../pb';
import { navigate } from '../router';
import { BackupsPage } from './backups-page';
import { ExportCollections, ImportCollections } from './collections-sync';
import { CronsPage } from './crons-page';
import { asSection, type Section, SettingsSectionForm, useSettings } from './settings-section';

// A secret the server hides comes back empty: leave it out unless one was typed.
const withoutBlankPassword = ({ password, ...rest }: Section): Section =>
  password === '' || password === undefined ? rest : { ...rest, password };

const str = (v: unknown) => (typeof v === 'string' ? v : '');
const num = (v: unknown) => (typeof v === 'number' ? v : 0);

const TEMPLATES = ['verification', 'password-reset', 'email-change', 'otp', 'login-alert'];

/** "Send test email": the server's mail settings (saved ones) deliver one template to an address. */
function TestEmail() {
  const [email, setEmail] = useState('');
  const [template, setTemplate] = useState('verification');
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const send = async () => {
    setBusy(true);
    setResult(null);
    setErrors({});
    try {
      await pb.settings.testEmail('_superusers', email, template);
      setResult({ ok: true, text: `Test email sent to ${email}.` });
    } catch (caught) {
      const shown = toShownError(caught);
      setErrors(shown.fields);
      setResult({ ok: false, text: shown.message });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Paper withBorder p="sm">
      <Text fw={500} mb="xs">
        Send test email
      </Text>
      <Group align="flex-start">
        <Select
          aria-label="Template"
          data={TEMPLATES}
          value={template}
          onChange={(v) => v && setTemplate(v)}
          error={errors.template}
        />
        <TextInput
          aria-label="Test email address"
          placeholder="to@example.com"
          value={email}
          error={errors.email}
          onChange={(e) => setEmail(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <Button variant="light" loading={busy} onClick={() => void send()}>
          Send
        </Button>
      </Group>
      {result && (
        <Alert mt="xs" color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </Alert>
      )}
    </Paper>
  );
}

/** Settings: application, mail (SMTP with a test send), batch, edge, backups, crons, collections import/export. */
export function SettingsPage({ route }: { route: string }) {
  const tab = route.split('/')[2] || 'application';
  const settings = useSettings();
  if (settings.error) return <Alert color="red">{toShownError(settings.error).message}</Alert>;
  if (!settings.data) return null;
  const data = settings.data;
  return (
    <Stack maw={800}>
      <Title order={2} size="h3">
        Settings
      </Title>
      <Tabs value={tab} onChange={(next) => navigate(`/settings/${next ?? 'application'}`)} keepMounted={false}>
        <Tabs.List>
          <Tabs.Tab value="application">Application</Tabs.Tab>
          <Tabs.Tab value="mail">Mail</Tabs.Tab>
          <Tabs.Tab value="batch">Batch</Tabs.Tab>
          <Tabs.Tab value="edge">Logs, rate limits, IPs</Tabs.Tab>
          <Tabs.Tab value="backups">Backups</Tabs.Tab>
          <Tabs.Tab value="crons">Crons</Tabs.Tab>
          <Tabs.Tab value="export">Export collections</Tabs.Tab>
          <Tabs.Tab value="import">Import collections</Tabs.Tab>
        </Tabs.List>
        <Tabs.Panel value="edge" pt="md">
          <EdgeSettings />
        </Tabs.Panel>
        <Tabs.Panel value="backups" pt="md">
          <BackupsPage settings={data} />
        </Tabs.Panel>
        <Tabs.Panel value="crons" pt="md">
          <CronsPage />
        </Tabs.Panel>
        <Tabs.Panel value="export" pt="md">
          <ExportCollections />
        </Tabs.Panel>
        <Tabs.Panel value="import" pt="md">
          <ImportCollections />
        </Tabs.Panel>
        <Tabs.Panel value="application" pt="md">
          <SettingsSectionForm section="meta" settings={data} toForm={asSection}>
            {({ value: v, patch, errors }) => (
              <>
                <SimpleGrid cols={{ base: 1, sm: 2 }}>
                  <TextInput
                    label="Application name"
                    required
                    value={str(v.appName)}
                    error={errors.appName}
                    onChange={(e) => patch({ appName: e.currentTarget.value })}
                  />
                  <TextInput
                    label="Application URL"
                    required
                    value={str(v.appURL)}
                    error={errors.appURL}
                    onChange={(e) => patch({ appURL: e.currentTarget.value })}
                  />
                  <TextInput
                    label="Sender name"
                    value={str(v.senderName)}
                    error={errors.senderName}
                    onChange={(e) => patch({ senderName: e.currentTarget.value })}
                  />
                  <TextInput
                    label="Sender address"
                    value={str(v.senderAddress)}
                    error={errors.senderAddress}
                    onChange={(e) => patch({ senderAddress: e.currentTarget.value })}
                  />
                </SimpleGrid>
                <Checkbox
                  label="Hide collection create and edit controls"
                  checked={Boolean(v.hideControls)}
                  onChange={(e) => patch({ hideControls: e.currentTarget.checked })}
                />
              </>
            )}
          </SettingsSectionForm>
        </Tabs.Panel>
        <Tabs.Panel value="mail" pt="md">
          <Stack>
            <SettingsSectionForm section="smtp" settings={data} toForm={asSection} toBody={withoutBlankPassword}>
              {({ value: v, patch, errors }) => (
                <>
                  <Checkbox
                    label="Use SMTP mail server"
                    checked={Boolean(v.enabled)}
                    onChange={(e) => patch({ enabled: e.currentTarget.checked })}
                  />
                  <SimpleGrid cols={{ base: 1, sm: 2 }}>
                    <TextInput
                      label="SMTP server host"
                      value={str(v.host)}
                      error={errors.host}
                      onChange={(e) => patch({ host: e.currentTarget.value })}
                    />
                    <NumberInput
                      label="Port"
                      value={num(v.port)}
                      error={errors.port}
                      onChange={(next) => patch({ port: Number(next) || 0 })}
                    />
                    <TextInput
                      label="Username"
                      value={str(v.username)}
                      error={errors.username}
                      onChange={(e) => patch({ username: e.currentTarget.value })}
                    />
                    <PasswordInput
                      label="Password"
                      value={str(v.password)}
                      error={errors.password}
                      onChange={(e) => patch({ password: e.currentTarget.value })}
                      placeholder="Unchanged"
                    />
                    <Select
                      label="TLS encryption"
                      data={[
                        { value: 'false', label: 'Auto (StartTLS)' },
                        { value: 'true', label: 'Always' },
                      ]}
                      value={String(Boolean(v.tls))}
                      onChange={(next) => patch({ tls: next === 'true' })}
                    />
                    <Select
                      label="AUTH method"
                      data={['PLAIN', 'LOGIN']}
                      value={str(v.authMethod) || 'PLAIN'}
                      error={errors.authMethod}
                      onChange={(next) => patch({ authMethod: next })}
                    />
                    <TextInput
                      label="EHLO/HELO domain"
                      value={str(v.localName)}
                      error={errors.localName}
                      onChange={(e) => patch({ localName: e.currentTarget.value })}
                    />
                  </SimpleGrid>
                </>
              )}
            </SettingsSectionForm>
            <TestEmail />
          </Stack>
        </Tabs.Panel>
        <Tabs.Panel value="batch" pt="md">
          <SettingsSectionForm section="batch" settings={data} toForm={asSection}>
            {({ value: v, patch, errors }) => (
              <>
                <Checkbox
                  label="Enable batch API"
                  checked={Boolean(v.enabled)}
                  onChange={(e) => patch({ enabled: e.currentTarget.checked })}
                />
                <SimpleGrid cols={{ base: 1, sm: 3 }}>
                  <NumberInput
                    label="Max requests per batch"
                    value={num(v.maxRequests)}
                    error={errors.maxRequests}
                    onChange={(n) => patch({ maxRequests: Number(n) || 0 })}
                  />
                  <NumberInput
                    label="Timeout (seconds)"
                    value={num(v.timeout)}
                    error={errors.timeout}
                    onChange={(n) => patch({ timeout: Number(n) || 0 })}
                  />
                  <NumberInput
                    label="Max body size (bytes)"
                    value={num(v.maxBodySize)}
                    error={errors.maxBodySize}
                    onChange={(n) => patch({ maxBodySize: Number(n) || 0 })}
                  />
                </SimpleGrid>
              </>
            )}
          </SettingsSectionForm>
        </Tabs.Panel>
      </Tabs>
    </Stack>
  );
}
