import {
  Alert,
  Button,
  Checkbox,
  Code,
  Drawer,
  FileInput,
  Group,
  MultiSelect,
  NumberInput,
  PasswordInput,
  Select,
  Stack,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import type { CollectionModel, RecordModel } from 'pocketbase';
import { type FormEvent, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import type { FieldDraft } from '../collections/field-types';
import { pb } from '../pb';

type Values = Record<string, unknown>;

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)' } };

/** A relation's choices: the related collection's first records, labelled by presentable fields. */
function RelationInput({
  field,
  value,
  error,
  onChange,
}: {
  field: FieldDraft;
  value: unknown;
  error?: string;
  onChange: (v: unknown) => void;
}) {
  const collectionId = String(field.collectionId ?? '');
  const [search, setSearch] = useState('');
  const options = useQuery({
    queryKey: ['relation-options', collectionId],
    queryFn: () => pb.collection(collectionId).getList(1, 200),
    enabled: collectionId !== '',
  });
  const data = (options.data?.items ?? []).map((record) => ({ value: record.id, label: record.id }));
  const multiple = Number(field.maxSelect ?? 1) > 1;
  const ids = Array.isArray(value) ? (value as string[]) : value ? [String(value)] : [];
  for (const id of ids) if (!data.some((option) => option.value === id)) data.push({ value: id, label: id });
  return multiple ? (
    <MultiSelect
      label={field.name}
      required={field.required}
      data={data}
      value={ids}
      searchable
      searchValue={search}
      onSearchChange={setSearch}
      error={error}
      onChange={onChange}
    />
  ) : (
    <Select
      label={field.name}
      required={field.required}
      data={data}
      value={ids[0] ?? null}
      searchable
      clearable
      error={error}
      onChange={(next) => onChange(next ?? '')}
    />
  );
}

function FieldInput({
  field,
  value,
  error,
  isNew,
  onChange,
}: {
  field: FieldDraft;
  value: unknown;
  error?: string;
  isNew: boolean;
  onChange: (v: unknown) => void;
}) {
  const common = { label: field.name, error, required: Boolean(field.required) && field.type !== 'bool' };
  switch (field.type) {
    case 'number':
      return (
        <NumberInput
          {...common}
          value={typeof value === 'number' ? value : ''}
          onChange={(next) => onChange(next === '' ? null : Number(next))}
        />
      );
    case 'bool':
      return (
        <Checkbox
          label={field.name}
          error={error}
          checked={Boolean(value)}
          onChange={(e) => onChange(e.currentTarget.checked)}
        />
      );
    case 'select': {
      const values = (field.values as string[] | undefined) ?? [];
      return Number(field.maxSelect ?? 1) > 1 ? (
        <MultiSelect
          {...common}
          data={values}
          value={Array.isArray(value) ? (value as string[]) : []}
          onChange={onChange}
        />
      ) : (
        <Select
          {...common}
          data={values}
          value={typeof value === 'string' && value ? value : null}
          clearable
          onChange={(next) => onChange(next ?? '')}
        />
      );
    }
    case 'json':
      return (
        <Textarea
          {...common}
          styles={mono}
          autosize
          minRows={3}
          value={typeof value === 'string' ? value : JSON.stringify(value ?? null, null, 2)}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'editor':
      return (
        <Textarea
          {...common}
          autosize
          minRows={4}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
          description="HTML"
        />
      );
    case 'relation':
      return <RelationInput field={field} value={value} error={error} onChange={onChange} />;
    case 'password':
      return (
        <PasswordInput
          {...common}
          required={isNew && common.required}
          autoComplete="new-password"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    case 'autodate':
      return (
        <TextInput
          label={field.name}
          value={typeof value === 'string' ? value : ''}
          readOnly
          variant="filled"
          description="Set by the server"
        />
      );
    case 'geoPoint': {
      const point = (value as { lon?: number; lat?: number } | null) ?? { lon: 0, lat: 0 };
      return (
        <Group grow>
          <NumberInput
            label={`${field.name} longitude`}
            error={error}
            value={point.lon ?? 0}
            onChange={(lon) => onChange({ ...point, lon: Number(lon) })}
          />
          <NumberInput
            label={`${field.name} latitude`}
            value={point.lat ?? 0}
            onChange={(lat) => onChange({ ...point, lat: Number(lat) })}
          />
        </Group>
      );
    }
    case 'file': {
      const existing = Array.isArray(value)
        ? (value as unknown[]).filter((v) => typeof v === 'string')
        : typeof value === 'string' && value
          ? [value]
          : [];
      return (
        <Stack gap={2}>
          <FileInput
            {...common}
            multiple={Number(field.maxSelect ?? 1) > 1}
            placeholder="Choose file(s)"
            onChange={(files) => onChange({ upload: Array.isArray(files) ? files : files ? [files] : [] })}
          />
          {existing.length > 0 && (
            <Text size="xs" c="dimmed">
              Current: {existing.join(', ')}
            </Text>
          )}
        </Stack>
      );
    }
    case 'date':
      return (
        <TextInput
          {...common}
          placeholder="YYYY-MM-DD HH:MM:SS.sssZ"
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
    default:
      return (
        <TextInput
          {...common}
          type={field.type === 'email' ? 'email' : field.type === 'url' ? 'url' : 'text'}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/** The body the SDK sends: JSON texts parsed, chosen files as uploads (multipart), password only when typed. */
function toBody(fields: FieldDraft[], values: Values): { body: Values; jsonErrors: Record<string, string> } {
  const body: Values = {};
  const jsonErrors: Record<string, string> = {};
  for (const field of fields) {
    const value = values[field.name];
    if (field.type === 'autodate' || (field.system && field.name === 'id' && !value)) continue;
    if (field.type === 'password' && !value) continue;
    if (field.type === 'file') {
      const upload = (value as { upload?: File[] } | undefined)?.upload;
      if (upload && upload.length > 0) body[field.name] = upload;
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
      <form onSubmit={submit} noValidate>
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
