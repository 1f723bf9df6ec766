import { ActionIcon, Checkbox, Group, NumberInput, Paper, Select, SimpleGrid, Text, TextInput } from '@mantine/core';
import type { CollectionModel } from 'pocketbase';
import type { FieldErrors } from '../api-errors';
import { FIELD_TYPES, type FieldDraft, type OptionSpec } from './field-types';

interface FieldRowProps {
  field: FieldDraft;
  index: number;
  count: number;
  errors: FieldErrors;
  collections: CollectionModel[];
  onChange: (field: FieldDraft) => void;
  onMove: (by: -1 | 1) => void;
  onRemove: () => void;
}

function OptionInput({
  spec,
  field,
  error,
  collections,
  onChange,
}: {
  spec: OptionSpec;
  field: FieldDraft;
  error: string | undefined;
  collections: CollectionModel[];
  onChange: (value: unknown) => void;
}) {
  const value = field[spec.key];
  const label = `${field.name || 'field'} ${spec.label.toLowerCase()}`;
  switch (spec.kind) {
    case 'bool':
      return (
        <Checkbox
          mt="md"
          label={spec.label}
          aria-label={label}
          checked={Boolean(value)}
          onChange={(e) => onChange(e.currentTarget.checked)}
          error={error}
        />
      );
    case 'number':
      return (
        <NumberInput
          size="xs"
          label={spec.label}
          aria-label={label}
          value={typeof value === 'number' ? value : ''}
          error={error}
          onChange={(next) => onChange(typeof next === 'number' ? next : 0)}
        />
      );
    case 'list':
      return (
        <TextInput
          size="xs"
          label={spec.label}
          aria-label={label}
          description="Comma separated"
          error={error}
          value={Array.isArray(value) ? value.join(', ') : ''}
          onChange={(e) =>
            onChange(
              e.currentTarget.value
                .split(',')
                .map((item) => item.trim())
                .filter((item) => item !== ''),
            )
          }
        />
      );
    case 'collection':
      return (
        <Select
          size="xs"
          label={spec.label}
          aria-label={label}
          error={error}
          value={typeof value === 'string' && value ? value : null}
          data={collections.map((c) => ({ value: c.id, label: c.name }))}
          searchable
          onChange={(next) => onChange(next ?? '')}
        />
      );
    default:
      return (
        <TextInput
          size="xs"
          label={spec.label}
          aria-label={label}
          error={error}
          value={typeof value === 'string' ? value : ''}
          onChange={(e) => onChange(e.currentTarget.value)}
        />
      );
  }
}

/** One field of the collection editor: name, type, common flags, its type's options, its errors. */
export function FieldRow({ field, index, count, errors, collections, onChange, onMove, onRemove }: FieldRowProps) {
  const specs = FIELD_TYPES[field.type] ?? [];
  const shown = new Set([
    'name',
    'type',
    'required',
    'hidden',
    'presentable',
    'help',
    ...specs.map((spec) => spec.key),
  ]);
  const other = Object.entries(errors).filter(([key]) => !shown.has(key.split('.')[0] ?? ''));
  const set = (key: string, value: unknown) => onChange({ ...field, [key]: value });
  return (
    <Paper withBorder p="xs" data-testid={`field-${index}`}>
      <Group align="flex-start" gap="xs" wrap="nowrap">
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          label="Name"
          aria-label={`Field ${index + 1} name`}
          value={field.name}
          error={errors.name}
          onChange={(e) => set('name', e.currentTarget.value)}
          readOnly={field.system && field.name === 'id'}
        />
        <Select
          size="xs"
          w={130}
          label="Type"
          aria-label={`Field ${index + 1} type`}
          value={field.type}
          data={Object.keys(FIELD_TYPES)}
          disabled={Boolean(field.id)}
          error={errors.type}
          onChange={(next) => next && onChange({ ...field, type: next })}
        />
        <Group gap={2} mt={22}>
          <ActionIcon
            variant="subtle"
            aria-label={`Move field ${field.name} up`}
            disabled={index === 0}
            onClick={() => onMove(-1)}
          >
            ↑
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            aria-label={`Move field ${field.name} down`}
            disabled={index === count - 1}
            onClick={() => onMove(1)}
          >
            ↓
          </ActionIcon>
          <ActionIcon
            variant="subtle"
            color="red"
            aria-label={`Remove field ${field.name}`}
            disabled={field.system}
            onClick={onRemove}
          >
            ✕
          </ActionIcon>
        </Group>
      </Group>
      <Group gap="md" mt="xs">
        <Checkbox
          size="xs"
          label="Nonempty"
          aria-label={`${field.name || 'field'} nonempty`}
          checked={Boolean(field.required)}
          onChange={(e) => set('required', e.currentTarget.checked)}
          error={errors.required}
        />
        <Checkbox
          size="xs"
          label="Hidden"
          aria-label={`${field.name || 'field'} hidden`}
          checked={Boolean(field.hidden)}
          onChange={(e) => set('hidden', e.currentTarget.checked)}
          error={errors.hidden}
        />
        <Checkbox
          size="xs"
          label="Presentable"
          aria-label={`${field.name || 'field'} presentable`}
          checked={Boolean(field.presentable)}
          onChange={(e) => set('presentable', e.currentTarget.checked)}
          error={errors.presentable}
        />
      </Group>
      {field.type !== 'autodate' && (
        <TextInput
          size="xs"
          mt="xs"
          label="Help text"
          aria-label={`${field.name || 'field'} help text`}
          description="Shown under the field's input in the record editor"
          value={typeof field.help === 'string' ? field.help : ''}
          error={errors.help}
          onChange={(e) => set('help', e.currentTarget.value)}
        />
      )}
      {specs.length > 0 && (
        <SimpleGrid cols={{ base: 2, md: 4 }} mt="xs" spacing="xs">
          {specs.map((spec) => (
            <OptionInput
              key={spec.key}
              spec={spec}
              field={field}
              error={errors[spec.key]}
              collections={collections}
              onChange={(value) => set(spec.key, value)}
            />
          ))}
        </SimpleGrid>
      )}
      {other.map(([key, message]) => (
        <Text key={key} size="xs" c="red" mt={4}>
          {key}: {message}
        </Text>
      ))}
    </Paper>
  );
}
