import { json } from '@codemirror/lang-json';
import {
  Anchor,
  Button,
  Checkbox,
  FileInput,
  Group,
  Image,
  Loader,
  MultiSelect,
  NumberInput,
  Paper,
  PasswordInput,
  Select,
  type SelectProps,
  Stack,
  Text,
  TextInput,
} from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useQuery } from '@tanstack/react-query';
import type { RecordModel } from 'pocketbase';
import { lazy, Suspense, useEffect, useMemo, useState } from 'react';
import { CodeInput } from '../collections/code-input';
import type { FieldDraft } from '../collections/field-types';
import { useCollections } from '../collections/use-collections';
import { pb } from '../pb';
import {
  type FileValue,
  fromPickerValue,
  recordLabel,
  searchableFields,
  toFileValue,
  toPickerValue,
} from './field-values';

// Tiptap is the largest input: loaded when a record with an editor field is opened.
const RichTextInput = lazy(() => import('./rich-text-input').then((module) => ({ default: module.RichTextInput })));

const jsonExtensions = [json()];

const IMAGE = /\.(png|jpe?g|gif|webp|svg|avif)$/i;

/** The date field: the exact value as text, and the browser's date-time picker (UTC) to pick it. */
function DateInput({
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
  const text = typeof value === 'string' ? value : '';
  return (
    <Group align="flex-start" gap="xs" wrap="nowrap">
      <TextInput
        style={{ flex: 1 }}
        label={field.name}
        description={help(field)}
        required={Boolean(field.required)}
        error={error}
        placeholder="YYYY-MM-DD HH:MM:SS.sssZ"
        value={text}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      <TextInput
        type="datetime-local"
        label="Pick (UTC)"
        aria-label={`${field.name} date picker`}
        step={1}
        w={220}
        value={toPickerValue(text)}
        onChange={(e) => onChange(fromPickerValue(e.currentTarget.value))}
      />
    </Group>
  );
}

/** A relation: searches the related collection on the server and lists records by their labels. */
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
  const { data: collections } = useCollections();
  const related = collections?.find((c) => c.id === collectionId);
  const [search, setSearch] = useState('');
  const [debounced] = useDebouncedValue(search, 200);
  const ids = Array.isArray(value) ? (value as string[]) : value ? [String(value)] : [];
  const multiple = Number(field.maxSelect ?? 1) > 1;

  const searchFilter = useMemo(() => {
    const term = debounced.trim();
    if (!term) return '';
    const names = ['id', ...searchableFields(related)];
    return pb.filter(names.map((name) => `${name} ~ {:term}`).join(' || '), { term });
  }, [debounced, related]);
  const found = useQuery({
    queryKey: ['relation-options', collectionId, searchFilter],
    queryFn: () => pb.collection(collectionId).getList(1, 50, { filter: searchFilter }),
    enabled: collectionId !== '',
  });
  // The chosen records may not be among the search results: their labels are fetched by id.
  const chosen = useQuery({
    queryKey: ['relation-chosen', collectionId, ids.join(',')],
    queryFn: () =>
      pb.collection(collectionId).getFullList({
        filter: ids.map((id, index) => pb.filter(`id = {:id${index}}`, { [`id${index}`]: id })).join(' || '),
      }),
    enabled: collectionId !== '' && ids.length > 0,
  });
  const options = new Map<string, string>();
  for (const record of [...(chosen.data ?? []), ...(found.data?.items ?? [])]) {
    options.set(record.id, recordLabel(related, record));
  }
  for (const id of ids) if (!options.has(id)) options.set(id, id);
  const data = [...options].map(([id, label]) => ({ value: id, label }));
  const common: Pick<
    SelectProps,
    | 'label'
    | 'description'
    | 'required'
    | 'data'
    | 'searchable'
    | 'searchValue'
    | 'onSearchChange'
    | 'filter'
    | 'nothingFoundMessage'
    | 'rightSection'
    | 'error'
  > = {
    label: field.name,
    description: help(field) ?? (related ? `Records of ${related.name}` : undefined),
    required: Boolean(field.required),
    data,
    searchable: true,
    searchValue: search,
    onSearchChange: setSearch,
    // The server searched already; the options are not filtered again here.
    filter: ({ options: all }) => all,
    nothingFoundMessage: found.isFetching ? 'Searching…' : 'No records found',
    rightSection: found.isFetching ? <Loader size="xs" /> : undefined,
    error,
  };
  return multiple ? (
    <MultiSelect {...common} value={ids} onChange={onChange} />
  ) : (
    <Select {...common} value={ids[0] ?? null} clearable onChange={(next) => onChange(next ?? '')} />
  );
}

/** A file field: the stored files (image thumbnails, links), removal, and chosen uploads previewed. */
function FileField({
  field,
  record,
  value,
  error,
  onChange,
}: {
  field: FieldDraft;
  record: RecordModel | null;
  value: unknown;
  error?: string;
  onChange: (v: unknown) => void;
}) {
  const state = toFileValue(value);
  const multiple = Number(field.maxSelect ?? 1) > 1;
  // Protected files open with a short-lived file token.
  const token = useQuery({
    queryKey: ['file-token'],
    queryFn: () => pb.files.getToken(),
    enabled: Boolean(field.protected) && state.kept.length > 0,
    staleTime: 60_000,
  });
  // Chosen images are previewed from object URLs, released when the choice changes.
  const previews = useMemo(
    () =>
      state.upload
        .filter((file) => file.type.startsWith('image/'))
        .map((file) => ({ name: file.name, url: URL.createObjectURL(file) })),
    [state.upload],
  );
  useEffect(
    () => () => {
      for (const preview of previews) URL.revokeObjectURL(preview.url);
    },
    [previews],
  );
  const url = (name: string, thumb?: string) =>
    record ? pb.files.getURL(record, name, { thumb, token: token.data }) : '';
  return (
    <Stack gap={4}>
      <FileInput
        label={field.name}
        description={help(field)}
        required={Boolean(field.required)}
        error={error}
        multiple={multiple}
        clearable
        placeholder={multiple ? 'Choose files' : 'Choose a file'}
        value={multiple ? state.upload : (state.upload[0] ?? null)}
        onChange={(files) =>
          onChange({ ...state, upload: Array.isArray(files) ? files : files ? [files] : [] } satisfies FileValue)
        }
      />
      {state.kept.map((name) => (
        <Paper key={name} withBorder p={4} data-testid={`file-${name}`}>
          <Group gap="xs" wrap="nowrap">
            {IMAGE.test(name) && (
              <Image src={url(name, '100x100')} alt={`Preview of ${name}`} w={48} h={48} fit="cover" radius="sm" />
            )}
            <Anchor href={url(name)} target="_blank" rel="noreferrer" size="sm" style={{ flex: 1 }} truncate>
              {name}
            </Anchor>
            <Button
              size="compact-xs"
              variant="subtle"
              color="red"
              aria-label={`Remove ${name}`}
              onClick={() =>
                onChange({
                  ...state,
                  kept: state.kept.filter((n) => n !== name),
                  removed: [...state.removed, name],
                } satisfies FileValue)
              }
            >
              Remove
            </Button>
          </Group>
        </Paper>
      ))}
      {state.removed.length > 0 && (
        <Text size="xs" c="red">
          Deleted on save: {state.removed.join(', ')}{' '}
          <Anchor
            component="button"
            type="button"
            size="xs"
            onClick={() => onChange({ ...state, kept: [...state.kept, ...state.removed], removed: [] })}
          >
            Undo
          </Anchor>
        </Text>
      )}
      {previews.length > 0 && (
        <Group gap="xs">
          {previews.map((preview) => (
            <Image
              key={preview.url}
              src={preview.url}
              alt={`Preview of ${preview.name}`}
              w={64}
              h={64}
              fit="cover"
              radius="sm"
            />
          ))}
        </Group>
      )}
    </Stack>
  );
}

function help(field: FieldDraft): string | undefined {
  return typeof field.help === 'string' && field.help ? field.help : undefined;
}

/** The input a field type takes in the record editor, with the server's error under it. */
export function FieldInput({
  field,
  record,
  value,
  error,
  isNew,
  onChange,
}: {
  field: FieldDraft;
  record: RecordModel | null;
  value: unknown;
  error?: string;
  isNew: boolean;
  onChange: (v: unknown) => void;
}) {
  const common = {
    label: field.name,
    description: help(field),
    error,
    required: Boolean(field.required) && field.type !== 'bool',
  };
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
          description={common.description}
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
        <CodeInput
          label={field.name}
          withLabel
          required={common.required}
          description={common.description ?? 'JSON'}
          error={error}
          extensions={jsonExtensions}
          value={typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value, null, 2)}
          onChange={onChange}
        />
      );
    case 'editor':
      return (
        <Suspense fallback={<TextInput {...common} disabled value="" />}>
          <RichTextInput
            label={field.name}
            description={common.description}
            required={common.required}
            error={error}
            value={typeof value === 'string' ? value : ''}
            onChange={onChange}
          />
        </Suspense>
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
        <Group grow align="flex-start">
          <NumberInput
            label={`${field.name} longitude`}
            description={common.description}
            error={error}
            min={-180}
            max={180}
            decimalScale={8}
            value={point.lon ?? 0}
            onChange={(lon) => onChange({ ...point, lon: Number(lon) })}
          />
          <NumberInput
            label={`${field.name} latitude`}
            min={-90}
            max={90}
            decimalScale={8}
            value={point.lat ?? 0}
            onChange={(lat) => onChange({ ...point, lat: Number(lat) })}
          />
        </Group>
      );
    }
    case 'file':
      return <FileField field={field} record={record} value={value} error={error} onChange={onChange} />;
    case 'date':
      return <DateInput field={field} value={value} error={error} onChange={onChange} />;
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
