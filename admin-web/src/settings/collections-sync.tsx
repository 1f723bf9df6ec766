import { Alert, Badge, Button, Checkbox, Group, List, Paper, Stack, Text, Textarea } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { type ShownError, toShownError } from '../api-errors';
import { COLLECTIONS_KEY, useCollections } from '../collections/use-collections';
import { pb } from '../pb';
import { type CollectionChange, type CollectionJson, diffCollections } from './collections-diff';

const mono = { input: { fontFamily: 'var(--mantine-font-family-monospace)', fontSize: 12 } };

// What an export leaves out: timestamps the importing server sets itself.
const exportable = (collections: CollectionJson[]) =>
  collections.map(({ created: _created, updated: _updated, ...rest }) => rest);

/** Every collection's schema as JSON, to copy or download (the import's input elsewhere). */
export function ExportCollections() {
  const { data = [] } = useCollections();
  const json = useMemo(() => JSON.stringify(exportable(data as unknown as CollectionJson[]), null, 2), [data]);
  const download = () => {
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([json], { type: 'application/json' }));
    link.download = `pb_schema_${new Date().toISOString().slice(0, 10)}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  return (
    <Stack>
      <Group>
        <Button onClick={download}>Download JSON</Button>
        <Button variant="default" onClick={() => void navigator.clipboard?.writeText(json)}>
          Copy
        </Button>
      </Group>
      <Textarea
        aria-label="Exported collections"
        readOnly
        autosize
        minRows={10}
        maxRows={24}
        styles={mono}
        value={json}
      />
    </Stack>
  );
}

function ChangeItem({ change }: { change: CollectionChange }) {
  const color = change.kind === 'create' ? 'green' : change.kind === 'delete' ? 'red' : 'yellow';
  return (
    <List.Item>
      <Group gap="xs">
        <Badge color={color} variant="light">
          {change.kind}
        </Badge>
        <Text fw={500}>{change.name}</Text>
      </Group>
      {change.kind === 'update' && (
        <List size="sm" withPadding>
          {change.details.map((detail) => (
            <List.Item key={detail}>{detail}</List.Item>
          ))}
        </List>
      )}
    </List.Item>
  );
}

/** Pasted (or loaded) collections JSON, a review of what it changes, then the import. */
export function ImportCollections() {
  const queryClient = useQueryClient();
  const { data: current = [] } = useCollections();
  const [text, setText] = useState('');
  const [deleteMissing, setDeleteMissing] = useState(false);
  const [review, setReview] = useState<{ collections: CollectionJson[]; changes: CollectionChange[] } | null>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [error, setError] = useState<ShownError | null>(null);
  const [done, setDone] = useState(false);
  const [busy, setBusy] = useState(false);

  const reviewImport = () => {
    setError(null);
    setDone(false);
    try {
      const parsed: unknown = JSON.parse(text);
      if (!Array.isArray(parsed)) throw new Error('Expected an array of collections.');
      const collections = parsed as CollectionJson[];
      setParseError(null);
      setReview({
        collections,
        changes: diffCollections(current as unknown as CollectionJson[], collections, deleteMissing),
      });
    } catch (caught) {
      setReview(null);
      setParseError(`Invalid collections JSON: ${caught instanceof Error ? caught.message : String(caught)}`);
    }
  };

  const confirm = async () => {
    if (!review) return;
    setBusy(true);
    setError(null);
    try {
      await pb.collections.import(review.collections as never, deleteMissing);
      await queryClient.invalidateQueries({ queryKey: COLLECTIONS_KEY });
      setReview(null);
      setDone(true);
    } catch (caught) {
      setError(toShownError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Stack>
      <Textarea
        aria-label="Collections to import"
        placeholder="Paste the exported collections JSON"
        autosize
        minRows={8}
        maxRows={20}
        styles={mono}
        value={text}
        error={parseError}
        onChange={(e) => {
          setText(e.currentTarget.value);
          setReview(null);
        }}
      />
      <Checkbox
        label="Delete collections (and their records) missing from the import"
        checked={deleteMissing}
        onChange={(e) => {
          setDeleteMissing(e.currentTarget.checked);
          setReview(null);
        }}
      />
      <Group>
        <Button variant="light" onClick={reviewImport} disabled={text.trim() === ''}>
          Review
        </Button>
      </Group>
      {review && (
        <Paper withBorder p="sm" data-testid="import-review">
          <Text fw={600} mb="xs">
            {review.changes.length === 0 ? 'Nothing would change.' : 'The import will:'}
          </Text>
          <List spacing="xs">
            {review.changes.map((change) => (
              <ChangeItem key={`${change.kind}-${change.name}`} change={change} />
            ))}
          </List>
          <Group justify="flex-end" mt="sm">
            <Button
              color={review.changes.some((c) => c.kind === 'delete') ? 'red' : undefined}
              loading={busy}
              disabled={review.changes.length === 0}
              onClick={() => void confirm()}
            >
              Confirm and import
            </Button>
          </Group>
        </Paper>
      )}
      {error && (
        <Alert color="red" role="alert" title={error.message}>
          {Object.entries(error.fields).map(([path, message]) => (
            <Text key={path} size="sm">
              {path}: {message}
            </Text>
          ))}
        </Alert>
      )}
      {done && (
        <Alert color="green" role="status">
          Collections imported.
        </Alert>
      )}
    </Stack>
  );
}
