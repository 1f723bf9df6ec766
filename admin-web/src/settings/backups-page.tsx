import {
  ActionIcon,
  Alert,
  Button,
  Code,
  Group,
  Loader,
  Menu,
  Modal,
  NumberInput,
  Paper,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
} from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { toShownError } from '../api-errors';
import { toast } from '../layout/toasts';
import { pb } from '../pb';
import {
  type BackupInfo,
  CRON_PRESETS,
  formatFileSize,
  newestFirst,
  toBackupsBody,
  toBackupsForm,
} from './backups-format';
import { S3ConfigFields } from './s3-config-fields';
import { type Settings, SettingsSectionForm } from './settings-section';

const BACKUPS_KEY = ['backups'] as const;

/** PocketBase's dashboard polls the health check: `canBackup` is false while a backup or restore runs. */
function useCanBackup(): boolean {
  const health = useQuery({
    queryKey: ['health'],
    queryFn: () => pb.health.check(),
    refetchInterval: 3500,
  });
  const data = health.data?.data as { canBackup?: boolean } | undefined;
  return data?.canBackup ?? true;
}

/** A file token, then the download link of `key` followed by the browser. */
async function download(key: string): Promise<void> {
  const token = await pb.files.getToken();
  const link = document.createElement('a');
  link.href = pb.backups.getDownloadURL(token, key);
  link.download = key;
  document.body.append(link);
  link.click();
  link.remove();
}

function CreateBackupModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ message: string; name?: string } | null>(null);
  useEffect(() => {
    if (opened) {
      setName('');
      setError(null);
    }
  }, [opened]);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await pb.backups.create(name.trim());
      toast.success('Successfully generated new backup.');
      onClose();
    } catch (caught) {
      const shown = toShownError(caught);
      setError({ message: shown.message, name: shown.fields.name });
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: BACKUPS_KEY });
    }
  };
  const close = () => {
    // The request goes on without the dialog; its outcome still comes as a toast.
    if (busy) toast.info('The backup was started but may take a while to complete. You can come back later.');
    onClose();
  };
  return (
    <Modal opened={opened} onClose={close} title="Initialize new backup">
      <form onSubmit={submit} noValidate aria-label="Initialize new backup">
        <Stack>
          <Alert color="yellow">
            The backup is a zip of the whole database and the record files; on a large app it may take a while.
          </Alert>
          <TextInput
            label="Backup name"
            placeholder="Leave empty to autogenerate"
            description="Must be in the format [a-z0-9_-].zip"
            value={name}
            error={error?.name}
            onChange={(e) => setName(e.currentTarget.value)}
            data-autofocus
          />
          {error && !error.name && (
            <Alert color="red" role="alert">
              {error.message}
            </Alert>
          )}
          <Group justify="space-between">
            <Button variant="default" onClick={close}>
              Cancel
            </Button>
            <Button type="submit" loading={busy}>
              Start backup
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

/** Restore asks for the backup's name, typed, before it replaces every piece of data (as PocketBase). */
function RestoreBackupModal({ backupKey, onClose }: { backupKey: string | null; onClose: () => void }) {
  const [typed, setTyped] = useState('');
  const [busy, setBusy] = useState(false);
  const [started, setStarted] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new dialog per backup
  useEffect(() => {
    setTyped('');
    setError(null);
    setStarted(false);
  }, [backupKey]);
  const confirmed = backupKey !== null && typed === backupKey;
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (!confirmed) return;
    setBusy(true);
    setError(null);
    try {
      await pb.backups.restore(backupKey);
      setStarted(true);
      // The server answers once the restore is done; every piece of data (the session's superuser
      // included) may have changed: start afresh.
      setTimeout(() => window.location.reload(), 2000);
    } catch (caught) {
      setError(toShownError(caught).message);
      setBusy(false);
    }
  };
  return (
    <Modal
      opened={backupKey !== null}
      onClose={() => !busy && onClose()}
      title={`Restore ${backupKey ?? ''}`}
      closeOnClickOutside={!busy}
    >
      <form onSubmit={submit} noValidate aria-label="Restore backup">
        <Stack>
          <Alert color="red" title="Use only backups you trust">
            Restoring replaces all current data (collections, records, files, settings, superusers and their sessions)
            with the backup's. If the backup cannot be applied, the current data is kept.
          </Alert>
          <Text size="sm">
            Type the backup name <Code>{backupKey}</Code> to confirm:
          </Text>
          <TextInput
            label="Backup name"
            required
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.currentTarget.value)}
            data-autofocus
          />
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          {started && (
            <Alert color="green" role="status">
              Restored; the page reloads in a moment.
            </Alert>
          )}
          <Group justify="space-between">
            <Button variant="default" disabled={busy} onClick={onClose}>
              Cancel
            </Button>
            <Button type="submit" color="red" loading={busy} disabled={!confirmed}>
              Restore backup
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}

function ConfirmModal({
  title,
  text,
  action,
  opened,
  onConfirm,
  onClose,
}: {
  title: string;
  text: string;
  action: string;
  opened: boolean;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title}>
      <Text size="sm" mb="md" style={{ whiteSpace: 'pre-line' }}>
        {text}
      </Text>
      <Group justify="flex-end">
        <Button variant="default" onClick={onClose}>
          Cancel
        </Button>
        <Button color="red" onClick={onConfirm}>
          {action}
        </Button>
      </Group>
    </Modal>
  );
}

/** Upload a zip made elsewhere, after a warning that it is not checked (as PocketBase). */
function UploadBackupButton() {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const clear = () => {
    setFile(null);
    if (input.current) input.current.value = '';
  };
  const upload = async () => {
    if (!file) return;
    const chosen = file;
    clear();
    setBusy(true);
    try {
      await pb.backups.upload({ file: chosen });
      toast.success('Successfully uploaded a new backup.');
    } catch (caught) {
      const shown = toShownError(caught);
      toast.error(shown.fields.file ?? shown.message);
    } finally {
      setBusy(false);
      await queryClient.invalidateQueries({ queryKey: BACKUPS_KEY });
    }
  };
  return (
    <>
      <input
        ref={input}
        type="file"
        accept=".zip,application/zip"
        aria-label="Backup file"
        hidden
        onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)}
      />
      <Button variant="default" size="xs" loading={busy} onClick={() => input.current?.click()}>
        Upload backup
      </Button>
      <ConfirmModal
        opened={file !== null}
        title="Upload backup"
        text={`Uploaded backups are not checked: proceed only if you trust the source.\n\nUpload "${file?.name ?? ''}"?`}
        action="Upload"
        onConfirm={() => void upload()}
        onClose={clear}
      />
    </>
  );
}

function BackupsList({ canBackup }: { canBackup: boolean }) {
  const queryClient = useQueryClient();
  const backups = useQuery({ queryKey: BACKUPS_KEY, queryFn: () => pb.backups.getFullList() as Promise<BackupInfo[]> });
  const [creating, setCreating] = useState(false);
  const [restoring, setRestoring] = useState<string | null>(null);
  const [deleting, setDeleting] = useState<string | null>(null);
  const [pending, setPending] = useState<Record<string, boolean>>({});
  // The list changes under a running backup or restore: reload it once they are done.
  const wasRunning = useRef(false);
  useEffect(() => {
    if (!canBackup) wasRunning.current = true;
    else if (wasRunning.current) {
      wasRunning.current = false;
      void queryClient.invalidateQueries({ queryKey: BACKUPS_KEY });
    }
  }, [canBackup, queryClient]);

  const busyWith = async (key: string, work: () => Promise<void>) => {
    setPending((current) => ({ ...current, [key]: true }));
    try {
      await work();
    } catch (caught) {
      toast.error(toShownError(caught).message);
    } finally {
      setPending(({ [key]: _, ...rest }) => rest);
    }
  };
  const remove = (key: string) =>
    busyWith(key, async () => {
      setDeleting(null);
      await pb.backups.delete(key);
      toast.success(`Successfully deleted ${key}.`);
      await queryClient.invalidateQueries({ queryKey: BACKUPS_KEY });
    });

  if (backups.error) {
    return (
      <Alert color="red" role="alert">
        {toShownError(backups.error).message}
      </Alert>
    );
  }
  const list = newestFirst(backups.data ?? []);
  return (
    <Stack gap="sm">
      <Table withTableBorder highlightOnHover aria-label="Backups">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Name</Table.Th>
            <Table.Th w={110}>Size</Table.Th>
            <Table.Th w={220}>Modified</Table.Th>
            <Table.Th w={120}>
              <Text span size="xs" c="dimmed">
                Actions
              </Text>
            </Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {backups.isPending && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Loader size="sm" aria-label="Loading backups" />
              </Table.Td>
            </Table.Tr>
          )}
          {!backups.isPending && list.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={4}>
                <Text c="dimmed" size="sm">
                  No backups found.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {list.map((backup) => (
            <Table.Tr key={backup.key} data-testid="backup-row">
              <Table.Td style={{ wordBreak: 'break-all' }}>{backup.key}</Table.Td>
              <Table.Td>{formatFileSize(backup.size)}</Table.Td>
              <Table.Td>{backup.modified}</Table.Td>
              <Table.Td>
                <Group gap={4} wrap="nowrap">
                  <Tooltip label="Download">
                    <ActionIcon
                      variant="subtle"
                      aria-label={`Download ${backup.key}`}
                      loading={pending[backup.key]}
                      onClick={() => void busyWith(backup.key, () => download(backup.key))}
                    >
                      ⤓
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Restore">
                    <ActionIcon
                      variant="subtle"
                      aria-label={`Restore ${backup.key}`}
                      disabled={pending[backup.key] || !canBackup}
                      onClick={() => setRestoring(backup.key)}
                    >
                      ↺
                    </ActionIcon>
                  </Tooltip>
                  <Tooltip label="Delete">
                    <ActionIcon
                      variant="subtle"
                      color="red"
                      aria-label={`Delete ${backup.key}`}
                      disabled={pending[backup.key]}
                      onClick={() => setDeleting(backup.key)}
                    >
                      ✕
                    </ActionIcon>
                  </Tooltip>
                </Group>
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
      <Button variant="light" disabled={!canBackup} onClick={() => setCreating(true)}>
        {canBackup ? 'Initialize new backup' : 'A backup or restore is in progress…'}
      </Button>
      <CreateBackupModal opened={creating} onClose={() => setCreating(false)} />
      <RestoreBackupModal backupKey={restoring} onClose={() => setRestoring(null)} />
      <ConfirmModal
        opened={deleting !== null}
        title="Delete backup"
        text={`Do you really want to delete ${deleting ?? ''}?`}
        action="Delete"
        onConfirm={() => deleting && void remove(deleting)}
        onClose={() => setDeleting(null)}
      />
    </Stack>
  );
}

/** `settings.backups`: the automatic backups' schedule and how many to keep, and S3 for the zips. */
function BackupOptions({ settings }: { settings: Settings }) {
  return (
    <SettingsSectionForm
      settings={settings}
      title="Backup options"
      section="backups"
      toForm={toBackupsForm}
      toBody={toBackupsBody}
    >
      {({ value, patch, errors, dirty }) => (
        <>
          <Switch
            label="Enable auto backups"
            checked={value.cron !== ''}
            onChange={(e) =>
              patch(e.currentTarget.checked ? { cron: value.cron || CRON_PRESETS[0].cron } : { cron: '' })
            }
          />
          {value.cron !== '' && (
            <Group align="flex-start" grow>
              <Stack gap={4}>
                <Group align="flex-end" gap="xs" wrap="nowrap">
                  <TextInput
                    label="Cron expression"
                    placeholder="e.g. 0 0 * * *"
                    required
                    ff="monospace"
                    style={{ flex: 1 }}
                    value={value.cron}
                    error={errors.cron}
                    onChange={(e) => patch({ cron: e.currentTarget.value })}
                  />
                  <Menu position="bottom-end">
                    <Menu.Target>
                      <Button variant="default" mb={errors.cron ? 22 : 0}>
                        Presets
                      </Button>
                    </Menu.Target>
                    <Menu.Dropdown>
                      {CRON_PRESETS.map((preset) => (
                        <Menu.Item key={preset.cron} onClick={() => patch({ cron: preset.cron })}>
                          {preset.label}
                        </Menu.Item>
                      ))}
                    </Menu.Dropdown>
                  </Menu>
                </Group>
                <Text size="xs" c="dimmed">
                  Minute, hour, day of month, month, day of week: numbers, lists, steps and ranges, or a macro (@yearly,
                  @monthly, @weekly, @daily, @midnight, @hourly). UTC.
                </Text>
              </Stack>
              <NumberInput
                label="Max @auto backups to keep"
                required
                min={1}
                value={value.cronMaxKeep}
                error={errors.cronMaxKeep}
                onChange={(next) => patch({ cronMaxKeep: Number(next) || 0 })}
              />
            </Group>
          )}
          <S3ConfigFields
            value={value.s3}
            onChange={(changes) => patch({ s3: { ...value.s3, ...changes } })}
            errors={Object.fromEntries(
              Object.entries(errors)
                .filter(([path]) => path.startsWith('s3.'))
                .map(([path, message]) => [path.slice(3), message]),
            )}
            toggleLabel="Store backups in S3 storage"
            filesystem="backups"
            unsaved={dirty}
          />
        </>
      )}
    </SettingsSectionForm>
  );
}

/** Settings → Backups: PocketBase's backup list and its options. */
export function BackupsPage({ settings }: { settings: Settings }) {
  const queryClient = useQueryClient();
  const canBackup = useCanBackup();
  return (
    <Stack>
      <Paper withBorder p="md">
        <Stack gap="sm">
          <Group justify="space-between">
            <Title order={3} size="h5">
              Backup and restore your data
            </Title>
            <Group gap="xs">
              <Button
                variant="default"
                size="xs"
                onClick={() => void queryClient.invalidateQueries({ queryKey: BACKUPS_KEY })}
              >
                Refresh
              </Button>
              <UploadBackupButton />
            </Group>
          </Group>
          <BackupsList canBackup={canBackup} />
        </Stack>
      </Paper>
      <BackupOptions settings={settings} />
    </Stack>
  );
}
