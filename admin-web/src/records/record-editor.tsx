import { Alert, Badge, Button, Code, Drawer, Group, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { type FormEvent, useRef, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import type { FieldDraft } from '../collections/field-types';
import { pb } from '../pb';
import { FieldInput } from './field-inputs';
import { isFileValue } from './field-values';

type Values = Record<string, unknown>;

/** The body the SDK sends: JSON texts parsed, chosen files as uploads (multipart), password only when typed. */
function toBody(fields: FieldDraft[], values: Values): { body: Values; jsonErrors: Record<string, string> } {
  const body: Values = {};
  const jsonErrors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === 'autodate' || (field.system && field.name === 'id' && !value)) continue;
    if (field.type === 'password' && !value) continue;
    if (field.type === 'file') {
      if (!isFileValue(value)) continue;
      // Removals by name (`field-`), uploads replacing a single file or appended (`field+`).
      if (value.removed.length > 0) body[`${field.name}-`] = value.removed;
      if (value.upload.length > 0) {
        body[Number(field.maxSelect ?? 1) > 1 ? `${field.name}+` : field.name] = value.upload;
      }
      continue;
    }
    if (field.type === 'json' && typeof value === 'string') {
      try {
        body[field.name] = value.trim() === '' ? null : JSON.parse(value);
      } catch {
        jsonErrors[field.name] = 'Invalid JSON.';
      }
      continue;
    }
    body[field.name] = value;
  }
  return { body, jsonErrors };
}

/** A random password of 20 letters and digits, from the browser's CSPRNG. */
function generatePassword(): string {
  const alphabet = 'abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';
  const bytes = crypto.getRandomValues(new Uint8Array(20));
  return Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
}

/** Superuser actions on an existing auth record: account mails and an impersonation token. */
function AuthRecordActions({ collection, record }: { collection: CollectionModel; record: RecordModel }) {
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [token, setToken] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>, done: string) => {
    setMessage(null);
    try {
      await action();
      setMessage({ ok: true, text: done });
    } catch (caught) {
      setMessage({ ok: false, text: toShownError(caught).message });
    }
  };
  const email = String(record.email ?? '');
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button
          size="xs"
          variant="light"
          disabled={!email}
          onClick={() =>
            void run(
              () => pb.collection(collection.id).requestVerification(email),
              `Verification email sent to ${email}.`,
            )
          }
        >
          Send verification email
        </Button>
        <Button
          size="xs"
          variant="light"
          disabled={!email}
          onClick={() =>
            void run(
              () => pb.collection(collection.id).requestPasswordReset(email),
              `Password reset email sent to ${email}.`,
            )
          }
        >
          Send password reset email
        </Button>
        <Button
          size="xs"
          variant="light"
          onClick={() =>
            void run(async () => {
              const client = await pb.collection(collection.id).impersonate(record.id, 3600);
              setToken(client.authStore.token);
            }, 'Impersonation token (1 hour, not refreshable):')
          }
        >
          Impersonate
        </Button>
      </Group>
      {message && (
        <Text size="sm" c={message.ok ? 'green' : 'red'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </Text>
      )}
      {token && (
        <Code block data-testid="impersonation-token" style={{ wordBreak: 'break-all', whiteSpace: 'pre-wrap' }}>
          {token}
        </Code>
      )}
      <LinkedAccounts collection={collection} record={record} />
    </Stack>
  );
}

/** The record's OAuth2 identities (`_externalAuths`), each with "Unlink". */
function LinkedAccounts({ collection, record }: { collection: CollectionModel; record: RecordModel }) {
  const queryClient = useQueryClient();
  const key = ['external-auths', collection.id, record.id];
  const linked = useQuery({
    queryKey: key,
    queryFn: () =>
      pb.collection('_externalAuths').getFullList({
        filter: pb.filter('collectionRef = {:collection} && recordRef = {:record}', {
          collection: collection.id,
          record: record.id,
        }),
      }),
  });
  const [failure, setFailure] = useState<string | null>(null);
  const unlink = async (id: string) => {
    setFailure(null);
    try {
      await pb.collection('_externalAuths').delete(id);
    } catch (caught) {
      setFailure(toShownError(caught).message);
    }
    await queryClient.invalidateQueries({ queryKey: key });
  };
  const items = linked.data ?? [];
  return (
    <Stack gap={4} data-testid="linked-accounts">
      <Text size="sm" fw={500}>
        OAuth2 linked accounts
      </Text>
      {items.length === 0 && (
        <Text size="xs" c="dimmed">
          {linked.isPending ? 'Loading…' : 'None.'}
        </Text>
      )}
      {items.map((item) => (
        <Group key={item.id} gap="xs">
          <Badge variant="light">{String(item.provider)}</Badge>
          <Text size="xs" c="dimmed">
            {String(item.providerId)}
          </Text>
          <Button
            size="compact-xs"
            variant="subtle"
            color="red"
            aria-label={`Unlink ${String(item.provider)}`}
            onClick={() => void unlink(item.id)}
          >
            Unlink
          </Button>
        </Group>
      ))}
      {failure && (
        <Text size="xs" c="red" role="alert">
          {failure}
        </Text>
      )}
    </Stack>
  );
}

/** Creates or edits one record with an input per field type; server errors beside their inputs. */
export function RecordEditor({
  collection,
  record,
  onClose,
}: {
  collection: CollectionModel;
  record: RecordModel | null;
  onClose: (changed: boolean) => void;
}) {
  const fields = (collection.fields as FieldDraft[]).filter((f) => f.name !== 'tokenKey');
  const [values, setValues] = useState<Values>(() => ({ ...(record ?? {}) }));
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [generated, setGenerated] = useState<string | null>(null);
  const isNew = record === null;
  const form = useRef<HTMLFormElement>(null);
  // Ctrl/⌘+S saves from any input (Escape closes the drawer, as every Mantine drawer).
  useHotkeys([['mod+S', () => form.current?.requestSubmit()]], []);
  const withConfirm = fields.some((f) => f.type === 'password');

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const { body, jsonErrors } = toBody(fields, values);
    if (withConfirm && values.passwordConfirm) body.passwordConfirm = values.passwordConfirm;
    if (Object.keys(jsonErrors).length > 0) {
      setError({ message: 'Fix the invalid JSON first.', fields: jsonErrors });
      return;
    }
    setBusy(true);
    setError(null);
    try {
      if (record) await pb.collection(collection.id).update(record.id, body);
      else await pb.collection(collection.id).create(body);
      onClose(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    if (!record) return;
    setBusy(true);
    try {
      await pb.collection(collection.id).delete(record.id);
      onClose(true);
    } catch (caught) {
      setError(toShownError(caught));
      setBusy(false);
    }
  };

  return (
    <Drawer
      opened
      onClose={() => onClose(false)}
      position="right"
      size="lg"
      title={isNew ? `New ${collection.name} record` : `Edit ${collection.name} record`}
    >
      {/* noValidate: the server's checks decide, and their messages show beside the inputs. */}
      <form ref={form} onSubmit={submit} noValidate>
        <Stack>
          {fields.map((field) =>
            field.system && field.name === 'id' ? (
              <TextInput
                key="id"
                label="id"
                value={String(values.id ?? '')}
                readOnly={!isNew}
                placeholder="Leave empty to autogenerate"
                error={error?.fields.id}
                onChange={(e) => setValues({ ...values, id: e.currentTarget.value })}
              />
            ) : (
              <FieldInput
                key={field.name}
                field={field}
                record={record}
                value={values[field.name]}
                error={error?.fields[field.name]}
                isNew={isNew}
                onChange={(value) => setValues((current) => ({ ...current, [field.name]: value }))}
              />
            ),
          )}
          {withConfirm && (
            <Button
              size="xs"
              variant="subtle"
              w="fit-content"
              onClick={() => {
                const generated = generatePassword();
                const name = fields.find((f) => f.type === 'password')?.name ?? 'password';
                setValues((current) => ({ ...current, [name]: generated, passwordConfirm: generated }));
                setGenerated(generated);
              }}
            >
              Generate password
            </Button>
          )}
          {generated && (
            <Text size="xs" c="dimmed">
              Generated password: <Code>{generated}</Code>
            </Text>
          )}
          {withConfirm && (
            <PasswordInput
              label="passwordConfirm"
              autoComplete="new-password"
              value={String(values.passwordConfirm ?? '')}
              error={error?.fields.passwordConfirm}
              onChange={(e) => setValues({ ...values, passwordConfirm: e.currentTarget.value })}
            />
          )}
          {record && collection.type === 'auth' && <AuthRecordActions collection={collection} record={record} />}
          {error && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="space-between">
            {record ? (
              <Button color="red" variant="subtle" onClick={() => void remove()} loading={busy}>
                Delete
              </Button>
            ) : (
              <span />
            )}
            <Group>
              <Button variant="default" onClick={() => onClose(false)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                {isNew ? 'Create' : 'Save changes'}
              </Button>
            </Group>
          </Group>
        </Stack>
      </form>
    </Drawer>
  );
}
