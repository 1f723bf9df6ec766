import { Alert, Button, Group, Paper, Stack, Title } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, type ReactNode, useEffect, useMemo, useState } from 'react';
import { type FieldErrors, type ShownError, toShownError } from '../api-errors';
import { pb } from '../pb';

/** `GET /api/settings` as the dashboard holds it: one object per settings key. */
export type Settings = Record<string, unknown>;
/** A settings key whose value is an object (`meta`, `smtp`, `batch`, …). */
export type Section = Record<string, unknown>;

export const SETTINGS_KEY = ['settings'] as const;

/** The app settings, shared by every settings form (one request, updated in place on save). */
export function useSettings() {
  return useQuery({ queryKey: SETTINGS_KEY, queryFn: () => pb.settings.getAll() as Promise<Settings> });
}

/** A section's stored value as an editable copy (the common case: an object section). */
export const asSection = (raw: unknown): Section =>
  typeof raw === 'object' && raw !== null && !Array.isArray(raw) ? { ...(raw as Section) } : {};

export interface SettingsSectionOptions<T> {
  settings: Settings;
  /** The settings key this form saves, alone (`PATCH {[section]: body}`). */
  section: string;
  /** The stored value → the form's value. */
  toForm: (raw: unknown) => T;
  /** The form's value → the request body; by default the value itself. */
  toBody?: (value: T) => unknown;
}

export interface SettingsSectionState<T> {
  value: T;
  set: (next: T) => void;
  /** Merges into an object value. */
  patch: (changes: Partial<T>) => void;
  /** The server's field errors under this section, keyed without the section (`''` for the section itself). */
  errors: FieldErrors;
  /** The request's failure, if the last save failed. */
  error: ShownError | null;
  saved: boolean;
  busy: boolean;
  /** The form differs from what is stored. */
  dirty: boolean;
  reset: () => void;
  submit: (event?: FormEvent) => Promise<void>;
}

/**
 * Load/edit/save of one settings key: a copy of the stored value to edit, a save that sends only
 * that key and stores the server's answer for every other form, and the server's errors under it.
 */
export function useSettingsSection<T>({
  settings,
  section,
  toForm,
  toBody,
}: SettingsSectionOptions<T>): SettingsSectionState<T> {
  const queryClient = useQueryClient();
  // Keyed by content: saving another section replaces the whole settings object, which must not
  // throw away this form's unsaved edits unless this section's stored value really changed.
  const stored = JSON.stringify(settings[section] ?? null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stored` is the content of settings[section]
  const initial = useMemo(() => toForm(settings[section]), [stored]);
  const [value, setValue] = useState<T>(initial);
  const [error, setError] = useState<ShownError | null>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  useEffect(() => setValue(initial), [initial]);

  const errors: FieldErrors = {};
  for (const [path, message] of Object.entries(error?.fields ?? {})) {
    if (path === section) errors[''] = message;
    else if (path.startsWith(`${section}.`)) errors[path.slice(section.length + 1)] = message;
  }
  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const body = toBody ? toBody(value) : value;
      const next = (await pb.settings.update({ [section]: body })) as Settings;
      queryClient.setQueryData(SETTINGS_KEY, next);
      // The saved form shows what is stored now, even when that reads the same as before (a
      // secret typed and hidden again in the answer).
      setValue(toForm(next[section]));
      setSaved(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };
  return {
    value,
    set: setValue,
    patch: (changes) => setValue((current) => ({ ...current, ...changes })),
    errors,
    error,
    saved,
    busy,
    dirty: JSON.stringify(value) !== JSON.stringify(initial),
    reset: () => setValue(initial),
    submit,
  };
}

/**
 * One settings key's form: its inputs, the request's error, "Saved." and the save button. With a
 * `title` it is a card of its own (a named form, "Save <title>"), else a plain "Save changes" form.
 */
export function SettingsSectionForm<T>({
  title,
  children,
  ...options
}: SettingsSectionOptions<T> & { title?: string; children: (form: SettingsSectionState<T>) => ReactNode }) {
  const form = useSettingsSection(options);
  const body = (
    <form onSubmit={form.submit} noValidate aria-label={title}>
      <Stack>
        {title && (
          <Title order={3} size="h5">
            {title}
          </Title>
        )}
        {children(form)}
        {form.error && (
          <Alert color="red" role="alert">
            {form.error.message}
          </Alert>
        )}
        {form.saved && (
          <Alert color="green" role="status">
            Saved.
          </Alert>
        )}
        <Group justify="flex-end">
          <Button type="submit" loading={form.busy}>
            {title ? `Save ${title.toLowerCase()}` : 'Save changes'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
  return title ? (
    <Paper withBorder p="md">
      {body}
    </Paper>
  ) : (
    body
  );
}
