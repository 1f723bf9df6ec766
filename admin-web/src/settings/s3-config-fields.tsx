import {
  Alert,
  Button,
  Checkbox,
  Group,
  PasswordInput,
  SimpleGrid,
  Stack,
  Switch,
  Text,
  TextInput,
} from '@mantine/core';
import { useState } from 'react';
import { type FieldErrors, toShownError } from '../api-errors';
import { pb } from '../pb';
import type { S3Config } from './backups-format';

/**
 * "Test connection": `POST /api/settings/test/s3` uploads and deletes a test file with the
 * *stored* settings of `filesystem`, so it is offered only while the form matches them.
 */
function S3Test({ filesystem, unsaved }: { filesystem: 'storage' | 'backups'; unsaved: boolean }) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string } | null>(null);
  const test = async () => {
    setBusy(true);
    setResult(null);
    try {
      await pb.settings.testS3(filesystem);
      setResult({ ok: true, text: 'S3 connected successfully.' });
    } catch (caught) {
      setResult({ ok: false, text: `Failed to establish S3 connection: ${toShownError(caught).message}` });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Stack gap="xs">
      <Group justify="flex-end">
        {unsaved && (
          <Text size="sm" c="dimmed">
            Save the changes to test them.
          </Text>
        )}
        <Button variant="light" loading={busy} disabled={unsaved} onClick={() => void test()}>
          Test connection
        </Button>
      </Group>
      {result && (
        <Alert color={result.ok ? 'green' : 'red'} role={result.ok ? 'status' : 'alert'}>
          {result.text}
        </Alert>
      )}
    </Stack>
  );
}

/** The S3 fields PocketBase's settings share (files storage, backups), with a connection test. */
export function S3ConfigFields({
  value,
  onChange,
  errors,
  toggleLabel,
  filesystem,
  unsaved,
}: {
  value: S3Config;
  onChange: (changes: Partial<S3Config>) => void;
  /** Field errors keyed by the S3 key (`endpoint`, `bucket`, …). */
  errors: FieldErrors;
  toggleLabel: string;
  filesystem: 'storage' | 'backups';
  /** The form holds edits not saved yet (the test would use the stored settings). */
  unsaved: boolean;
}) {
  return (
    <Stack>
      <Switch
        label={toggleLabel}
        checked={value.enabled}
        onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
      />
      {value.enabled && (
        <>
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            <TextInput
              label="Endpoint"
              required
              value={value.endpoint}
              error={errors.endpoint}
              onChange={(e) => onChange({ endpoint: e.currentTarget.value })}
            />
            <SimpleGrid cols={2}>
              <TextInput
                label="Bucket"
                required
                value={value.bucket}
                error={errors.bucket}
                onChange={(e) => onChange({ bucket: e.currentTarget.value })}
              />
              <TextInput
                label="Region"
                required
                value={value.region}
                error={errors.region}
                onChange={(e) => onChange({ region: e.currentTarget.value })}
              />
            </SimpleGrid>
            <TextInput
              label="Access key"
              required
              autoComplete="off"
              value={value.accessKey}
              error={errors.accessKey}
              onChange={(e) => onChange({ accessKey: e.currentTarget.value })}
            />
            <PasswordInput
              label="Secret"
              autoComplete="new-password"
              placeholder="Unchanged"
              value={value.secret}
              error={errors.secret}
              onChange={(e) => onChange({ secret: e.currentTarget.value })}
            />
          </SimpleGrid>
          <Checkbox
            label="Force path-style addressing"
            description='"https://s3.example.com/BUCKET/KEY" instead of "https://BUCKET.s3.example.com/KEY"'
            checked={value.forcePathStyle}
            onChange={(e) => onChange({ forcePathStyle: e.currentTarget.checked })}
          />
          {/* A new test per saved state: an earlier result no longer says anything. */}
          <S3Test key={String(unsaved)} filesystem={filesystem} unsaved={unsaved} />
        </>
      )}
    </Stack>
  );
}
