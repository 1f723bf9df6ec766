import {
  Alert,
  Button,
  Drawer,
  Group,
  List,
  Modal,
  Select,
  Stack,
  Tabs,
  Text,
  Textarea,
  TextInput,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import type { CollectionModel } from 'pocketbase';
import { type FormEvent, useEffect, useMemo, useState } from 'react';
import { errorsUnder, type ShownError, toShownError } from '../api-errors';
import { pb } from '../pb';
import { AuthOptions } from './auth-options';
import { FieldRow } from './field-row';
import { FIELD_TYPES, type FieldDraft, newField, RULES } from './field-types';
import { ruleCompletions } from './rule-completions';
import { RuleInput } from './rule-input';
import { COLLECTIONS_KEY, useCollections } from './use-collections';
import { ViewQueryPreview } from './view-query-preview';

type Draft = Record<string, unknown> & { name: string; type: string; fields: FieldDraft[]; indexes: string[] };

const toDraft = (collection: CollectionModel | Record<string, unknown>): Draft =>
  structuredClone(collection) as unknown as Draft;

/** What a save would destroy: removed fields (their data goes) and renamed ones, for the confirmation. */
function destructiveChanges(before: CollectionModel, after: Draft): string[] {
  const changes: string[] = [];
  const next = new Map(after.fields.filter((f) => f.id).map((f) => [f.id, f]));
  for (const field of before.fields as FieldDraft[]) {
    const kept = next.get(field.id);
    if (!kept) changes.push(`Delete field "${field.name}" and its data`);
    else if (kept.name !== field.name) changes.push(`Rename field "${field.name}" to "${kept.name}"`);
  }
  if (before.name !== after.name) changes.push(`Rename collection "${before.name}" to "${after.name}"`);
  return changes;
}

/**
 * Creates (collection `null`) or edits a collection: name and type, fields, API rules, indexes,
 * the view query. Server errors show beside their inputs (`fields.N.option` paths included).
 */
export function CollectionEditor({
  collection: initial,
  onClose,
  onDeleted,
}: {
  collection: CollectionModel | null;
  onClose: (saved: CollectionModel | null) => void;
  onDeleted?: () => void;
}) {
  const queryClient = useQueryClient();
  // The collection being edited; null when creating, including after "Duplicate".
  const [collection, setCollection] = useState(initial);
  const { data: collections = [] } = useCollections();
  const scaffolds = useQuery({
    queryKey: ['scaffolds'],
    queryFn: () => pb.collections.getScaffolds(),
    enabled: !collection,
  });
  const [draft, setDraft] = useState<Draft | null>(initial ? toDraft(initial) : null);
  const [error, setError] = useState<ShownError | null>(null);
  const [busy, setBusy] = useState(false);
  const [confirming, setConfirming] = useState<string[] | null>(null);
  const [danger, setDanger] = useState<'delete' | 'truncate' | null>(null);
  const [newFieldType, setNewFieldType] = useState<string>('text');

  useEffect(() => {
    if (!draft && scaffolds.data) setDraft({ ...toDraft(scaffolds.data.base ?? {}), name: '', type: 'base' });
  }, [draft, scaffolds.data]);

  const errors = error?.fields ?? {};
  const type = draft?.type ?? 'base';
  const update = (patch: Partial<Draft>) => setDraft((current) => (current ? { ...current, ...patch } : current));
  const setFields = (fields: FieldDraft[]) => update({ fields });

  const save = async () => {
    if (!draft) return;
    setBusy(true);
    setError(null);
    try {
      const saved = collection ? await pb.collections.update(collection.id, draft) : await pb.collections.create(draft);
      await queryClient.invalidateQueries({ queryKey: COLLECTIONS_KEY });
      await queryClient.invalidateQueries({ queryKey: ['records'] });
      onClose(saved);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
      setConfirming(null);
    }
  };

  const runDanger = async () => {
    if (!collection || !danger) return;
    setBusy(true);
    try {
      if (danger === 'delete') {
        await pb.collections.delete(collection.id);
        onDeleted?.();
      } else {
        await pb.collections.truncate(collection.id);
        await queryClient.invalidateQueries({ queryKey: ['records'] });
      }
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
      setDanger(null);
    }
  };

  const duplicate = () => {
    if (!collection) return;
    const copy = toDraft(collection);
    delete copy.id;
    delete copy.created;
    delete copy.updated;
    // New field ids, and no copied index: index names are unique per database.
    setDraft({
      ...copy,
      name: `${collection.name}_duplicate`,
      fields: copy.fields.map(({ id: _id, ...field }) => field),
      indexes: [],
    });
    setCollection(null);
    setError(null);
  };

  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    if (!draft) return;
    const changes = collection ? destructiveChanges(collection, draft) : [];
    if (changes.length > 0) setConfirming(changes);
    else void save();
  };
  useHotkeys([['mod+S', () => submit()]], []);

  const completions = useMemo(
    () => (draft ? ruleCompletions(draft, collections as unknown as Parameters<typeof ruleCompletions>[1]) : []),
    [draft, collections],
  );
  const otherCollections = useMemo(() => collections.filter((c) => c.id !== collection?.id), [collections, collection]);
  const fieldTabError = Object.keys(errors).some((key) => key.startsWith('fields'));
  const ruleTabError = RULES.some((rule) => errors[rule.key]);
  const optionsTabError = Object.keys(errors).some((key) =>
    /^(passwordAuth|oauth2|otp|mfa|authToken|verificationToken|passwordResetToken|emailChangeToken|fileToken|verificationTemplate|resetPasswordTemplate|confirmEmailChangeTemplate)\b/.test(
      key,
    ),
  );

  return (
    <Drawer
      opened
      onClose={() => onClose(null)}
      position="right"
      size="xl"
      title={collection ? `Edit ${collection.name}` : 'New collection'}
    >
      {!draft ? (
        <Text c="dimmed">Loading…</Text>
      ) : (
        <form onSubmit={submit} noValidate>
          <Stack>
            <Group align="flex-start" grow>
              <TextInput
                label="Name"
                required
                value={draft.name}
                error={errors.name}
                data-autofocus
                onChange={(e) => update({ name: e.currentTarget.value })}
              />
              <Select
                label="Type"
                value={type}
                data={['base', 'auth', 'view']}
                disabled={Boolean(collection)}
                error={errors.type}
                onChange={(next) => {
                  if (!next || !scaffolds.data) return;
                  const scaffold = toDraft(scaffolds.data[next] ?? {});
                  setDraft({ ...scaffold, name: draft.name, type: next });
                }}
              />
            </Group>
            <Tabs key={type} defaultValue={type === 'view' ? 'query' : 'fields'} keepMounted={false}>
              <Tabs.List>
                {type === 'view' ? (
                  <Tabs.Tab value="query" color={errors.viewQuery ? 'red' : undefined}>
                    View query
                  </Tabs.Tab>
                ) : (
                  <Tabs.Tab value="fields" color={fieldTabError ? 'red' : undefined}>
                    Fields
                  </Tabs.Tab>
                )}
                <Tabs.Tab value="rules" color={ruleTabError ? 'red' : undefined}>
                  API rules
                </Tabs.Tab>
                {type !== 'view' && (
                  <Tabs.Tab value="indexes" color={errors.indexes ? 'red' : undefined}>
                    Indexes
                  </Tabs.Tab>
                )}
                {type === 'auth' && (
                  <Tabs.Tab value="options" color={optionsTabError ? 'red' : undefined}>
                    Options
                  </Tabs.Tab>
                )}
              </Tabs.List>
              <Tabs.Panel value="options" pt="sm">
                <AuthOptions draft={draft} errors={errors} onChange={(patch) => update(patch as Partial<Draft>)} />
              </Tabs.Panel>
              <Tabs.Panel value="fields" pt="sm">
                <Stack gap="xs">
                  {typeof errors.fields === 'string' && (
                    <Text c="red" size="sm">
                      {errors.fields}
                    </Text>
                  )}
                  {draft.fields.map((field, index) => (
                    <FieldRow
                      key={field.id ?? `new-${index}`}
                      field={field}
                      index={index}
                      count={draft.fields.length}
                      errors={errorsUnder(errors, `fields.${index}`)}
                      collections={otherCollections}
                      onChange={(next) => setFields(draft.fields.map((f, i) => (i === index ? next : f)))}
                      onMove={(by) => {
                        const fields = [...draft.fields];
                        const [moved] = fields.splice(index, 1);
                        if (moved) fields.splice(index + by, 0, moved);
                        setFields(fields);
                      }}
                      onRemove={() => setFields(draft.fields.filter((_, i) => i !== index))}
                    />
                  ))}
                  <Group>
                    <Select
                      aria-label="New field type"
                      w={140}
                      value={newFieldType}
                      data={Object.keys(FIELD_TYPES)}
                      onChange={(next) => next && setNewFieldType(next)}
                    />
                    <Button variant="light" onClick={() => setFields([...draft.fields, newField(newFieldType, '')])}>
                      + Add field
                    </Button>
                  </Group>
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="query" pt="sm">
                <Stack>
                  <Textarea
                    label="Select query"
                    aria-label="View query"
                    autosize
                    minRows={4}
                    error={errors.viewQuery}
                    styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                    value={typeof draft.viewQuery === 'string' ? draft.viewQuery : ''}
                    onChange={(e) => update({ viewQuery: e.currentTarget.value })}
                    description="A Postgres SELECT; the fields are inferred from its columns (one must be id)."
                  />
                  <ViewQueryPreview query={typeof draft.viewQuery === 'string' ? draft.viewQuery : ''} />
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="rules" pt="sm">
                <Stack>
                  {RULES.filter((rule) => rule.types.includes(type)).map((rule) => (
                    <RuleInput
                      key={rule.key}
                      ruleKey={rule.key}
                      completions={completions}
                      label={rule.label}
                      error={errors[rule.key]}
                      value={(draft[rule.key] as string | null | undefined) ?? null}
                      onChange={(value) => update({ [rule.key]: value })}
                    />
                  ))}
                </Stack>
              </Tabs.Panel>
              <Tabs.Panel value="indexes" pt="sm">
                <Stack gap="xs">
                  {draft.indexes.map((index, position) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: index texts may repeat while typed; the position is their identity
                    <Group key={`${position}`} align="flex-start" wrap="nowrap">
                      <TextInput
                        style={{ flex: 1 }}
                        aria-label={`Index ${position + 1}`}
                        value={index}
                        error={errors[`indexes.${position}`]}
                        styles={{ input: { fontFamily: 'var(--mantine-font-family-monospace)' } }}
                        onChange={(e) =>
                          update({ indexes: draft.indexes.map((v, i) => (i === position ? e.currentTarget.value : v)) })
                        }
                      />
                      <Button
                        variant="subtle"
                        color="red"
                        onClick={() => update({ indexes: draft.indexes.filter((_, i) => i !== position) })}
                      >
                        Remove
                      </Button>
                    </Group>
                  ))}
                  <Button
                    variant="light"
                    onClick={() =>
                      update({
                        indexes: [
                          ...draft.indexes,
                          `CREATE INDEX idx_${draft.name || 'name'}_ ON ${draft.name || 'name'} ()`,
                        ],
                      })
                    }
                  >
                    + Add index
                  </Button>
                  <Text size="xs" c="dimmed">
                    PocketBase's index syntax: CREATE [UNIQUE] INDEX name ON collection (field, …)
                  </Text>
                </Stack>
              </Tabs.Panel>
            </Tabs>
            {error && (
              <Alert color="red" role="alert">
                {error.message}
              </Alert>
            )}
            <Group justify="flex-end">
              {collection && !collection.system && (
                <>
                  <Button variant="subtle" onClick={duplicate}>
                    Duplicate
                  </Button>
                  <Button variant="subtle" color="red" onClick={() => setDanger('delete')}>
                    Delete collection
                  </Button>
                  {collection.type !== 'view' && (
                    <Button variant="subtle" color="red" onClick={() => setDanger('truncate')}>
                      Truncate
                    </Button>
                  )}
                </>
              )}
              <Button variant="default" onClick={() => onClose(null)}>
                Cancel
              </Button>
              <Button type="submit" loading={busy}>
                {collection ? 'Save changes' : 'Create'}
              </Button>
            </Group>
          </Stack>
        </form>
      )}
      <Modal opened={confirming !== null} onClose={() => setConfirming(null)} title="Confirm changes">
        <Text size="sm" mb="xs">
          Saving will:
        </Text>
        <List size="sm" mb="md">
          {confirming?.map((change) => (
            <List.Item key={change}>{change}</List.Item>
          ))}
        </List>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirming(null)}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void save()}>
            Confirm
          </Button>
        </Group>
      </Modal>
      <Modal
        opened={danger !== null}
        onClose={() => setDanger(null)}
        title={danger === 'delete' ? 'Delete collection' : 'Truncate collection'}
      >
        <Text size="sm" mb="md">
          {danger === 'delete'
            ? `Delete "${collection?.name}" with all its records? This cannot be undone.`
            : `Delete every record of "${collection?.name}"? This cannot be undone.`}
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setDanger(null)}>
            Cancel
          </Button>
          <Button color="red" loading={busy} onClick={() => void runDanger()}>
            {danger === 'delete' ? 'Delete' : 'Truncate'}
          </Button>
        </Group>
      </Modal>
    </Drawer>
  );
}
