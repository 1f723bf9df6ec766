import {
  Alert,
  Badge,
  Button,
  Checkbox,
  Group,
  Modal,
  Pagination,
  Popover,
  ScrollArea,
  Stack,
  Table,
  Text,
  Title,
  UnstyledButton,
} from '@mantine/core';
import { useLocalStorage } from '@mantine/hooks';
import { keepPreviousData, useQuery, useQueryClient } from '@tanstack/react-query';
import type { RecordModel } from 'pocketbase';
import { lazy, Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { toShownError } from '../api-errors';
import { CodeInput } from '../collections/code-input';
import { CollectionEditor } from '../collections/collection-editor';
import type { FieldDraft } from '../collections/field-types';
import { ruleCompletions } from '../collections/rule-completions';
import { COLLECTIONS_KEY, useCollections } from '../collections/use-collections';
import { pb } from '../pb';
import { navigate } from '../router';
import { cellText } from './cell-text';
import { RecordEditor } from './record-editor';

const PER_PAGE = 20;

/** Every records query (one collection's page is on screen at a time): what a change refreshes. */
const RECORDS_KEY = ['records'];

const PAGE_CONTROLS = { first: 'First page', previous: 'Previous page', next: 'Next page', last: 'Last page' };

const ApiPreviewDrawer = lazy(() =>
  import('./api-preview-drawer').then((module) => ({ default: module.ApiPreviewDrawer })),
);

/** A collection's records: filter bar, sortable columns, paging, the record and collection editors. */
export function CollectionPage({ idOrName }: { idOrName: string }) {
  const queryClient = useQueryClient();
  const { data: collections } = useCollections();
  const collection = collections?.find((c) => c.id === idOrName || c.name === idOrName);
  const [filterText, setFilterText] = useState('');
  const [filter, setFilter] = useState('');
  // Enter in the editor reads the text typed so far, not the value of an earlier render.
  const latestFilter = useRef('');
  latestFilter.current = filterText;
  const [sort, setSort] = useState('');
  const [page, setPage] = useState(1);
  const [editing, setEditing] = useState<RecordModel | 'new' | null>(null);
  const [editingCollection, setEditingCollection] = useState(false);
  const [previewing, setPreviewing] = useState(false);
  // Columns the user hid, remembered per collection in this browser.
  const [hiddenColumns, setHiddenColumns] = useLocalStorage<string[]>({
    key: `hb-hidden-columns-${idOrName}`,
    defaultValue: [],
  });
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [confirmingBulk, setConfirmingBulk] = useState(false);
  const [bulkError, setBulkError] = useState<string | null>(null);

  const records = useQuery({
    // By the route's id or name, so the records load alongside the collections, not after them.
    queryKey: ['records', idOrName, page, filter, sort],
    queryFn: () => pb.collection(idOrName).getList(page, PER_PAGE, { filter, sort }),
    placeholderData: keepPreviousData,
  });

  // Realtime: any change to this collection's records refetches the table (views have no events).
  const collectionId = collection?.id;
  const viewType = collection?.type === 'view';
  useEffect(() => {
    if (!collectionId || viewType) return;
    let unsubscribe: (() => Promise<void>) | null = null;
    let closed = false;
    pb.collection(collectionId)
      .subscribe('*', () => void queryClient.invalidateQueries({ queryKey: RECORDS_KEY }))
      .then((stop) => {
        if (closed) void stop();
        else unsubscribe = stop;
      })
      .catch(() => undefined); // no realtime: the table still refreshes on its own actions
    return () => {
      closed = true;
      void unsubscribe?.();
    };
  }, [collectionId, viewType, queryClient]);

  const completions = useMemo(
    () =>
      collection
        ? ruleCompletions(
            collection as unknown as Parameters<typeof ruleCompletions>[0],
            (collections ?? []) as unknown as Parameters<typeof ruleCompletions>[1],
          ).filter((name) => !name.startsWith('@request.body'))
        : [],
    [collection, collections],
  );

  if (!collections) return null;
  if (!collection) return <Alert color="red">Collection "{idOrName}" not found.</Alert>;

  const readable = (collection.fields as FieldDraft[]).filter((f) => !f.hidden && f.type !== 'password');
  const fields = readable.filter((f) => !hiddenColumns.includes(f.name));
  const exportJson = async () => {
    const all = await pb.collection(collection.id).getFullList({ filter, sort });
    const link = document.createElement('a');
    link.href = URL.createObjectURL(new Blob([JSON.stringify(all, null, 2)], { type: 'application/json' }));
    link.download = `${collection.name}.json`;
    link.click();
    URL.revokeObjectURL(link.href);
  };
  const refresh = () => queryClient.invalidateQueries({ queryKey: RECORDS_KEY });
  const toggleSort = (name: string) => {
    setSort(sort === name ? `-${name}` : name);
    setPage(1);
  };
  const applyFilter = () => {
    setFilter(latestFilter.current);
    setPage(1);
  };
  const deleteSelected = async () => {
    setConfirmingBulk(false);
    setBulkError(null);
    try {
      for (const id of selected) {
        await pb.collection(collection.id).delete(id);
        setSelected((current) => new Set([...current].filter((other) => other !== id)));
      }
    } catch (caught) {
      setBulkError(toShownError(caught).message);
    }
    await refresh();
  };
  const items = records.data?.items ?? [];
  const error = records.error ? toShownError(records.error) : bulkError ? { message: bulkError } : null;

  return (
    <Stack>
      <Group justify="space-between">
        <Group gap="xs">
          <Title order={2} size="h3">
            {collection.name}
          </Title>
          <Badge variant="light">{collection.type}</Badge>
          <Button size="xs" variant="subtle" onClick={() => setEditingCollection(true)}>
            Edit collection
          </Button>
          <Button size="xs" variant="subtle" onClick={() => setPreviewing(true)}>
            API preview
          </Button>
        </Group>
        <Group gap="xs">
          {selected.size > 0 && (
            <Button size="xs" color="red" variant="light" onClick={() => setConfirmingBulk(true)}>
              Delete selected ({selected.size})
            </Button>
          )}
          <Popover position="bottom-end" shadow="md">
            <Popover.Target>
              <Button size="xs" variant="default">
                Columns
              </Button>
            </Popover.Target>
            <Popover.Dropdown>
              <Checkbox.Group
                label="Shown columns"
                value={fields.map((f) => f.name)}
                onChange={(shown) =>
                  setHiddenColumns(readable.map((f) => f.name).filter((name) => !shown.includes(name)))
                }
              >
                <Stack gap={4} mt="xs">
                  {readable.map((f) => (
                    <Checkbox key={f.name} value={f.name} label={f.name} size="xs" />
                  ))}
                </Stack>
              </Checkbox.Group>
            </Popover.Dropdown>
          </Popover>
          <Button size="xs" variant="default" onClick={() => void exportJson()}>
            Export JSON
          </Button>
          {collection.type !== 'view' && (
            <Button size="xs" onClick={() => setEditing('new')}>
              + New record
            </Button>
          )}
        </Group>
      </Group>
      <Group gap="xs" align="flex-start" wrap="nowrap">
        <div style={{ flex: 1 }}>
          <CodeInput
            label="Filter records"
            value={filterText}
            onChange={setFilterText}
            completions={completions}
            placeholder='Filter, e.g. title ~ "hello" && created > "2024-01-01"'
            onSubmit={() => applyFilter()}
          />
        </div>
        <Button variant="default" onClick={() => applyFilter()}>
          Apply
        </Button>
      </Group>
      {error && (
        <Alert color="red" role="alert">
          {error.message}
        </Alert>
      )}
      <Modal opened={confirmingBulk} onClose={() => setConfirmingBulk(false)} title="Delete records">
        <Text size="sm" mb="md">
          Delete the {selected.size} selected record(s) of "{collection.name}"? This cannot be undone.
        </Text>
        <Group justify="flex-end">
          <Button variant="default" onClick={() => setConfirmingBulk(false)}>
            Cancel
          </Button>
          <Button color="red" onClick={() => void deleteSelected()}>
            Delete {selected.size}
          </Button>
        </Group>
      </Modal>
      <ScrollArea>
        <Table striped highlightOnHover withTableBorder>
          <Table.Thead>
            <Table.Tr>
              <Table.Th w={32}>
                <Checkbox
                  aria-label="Select all"
                  checked={items.length > 0 && items.every((r) => selected.has(r.id))}
                  onChange={(e) => setSelected(e.currentTarget.checked ? new Set(items.map((r) => r.id)) : new Set())}
                />
              </Table.Th>
              {fields.map((field) => (
                <Table.Th key={field.name}>
                  <UnstyledButton
                    fw={600}
                    fz="sm"
                    onClick={() => toggleSort(field.name)}
                    aria-label={`Sort by ${field.name}`}
                  >
                    {field.name} {sort === field.name ? '↑' : sort === `-${field.name}` ? '↓' : ''}
                  </UnstyledButton>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {items.map((record) => (
              <Table.Tr key={record.id} style={{ cursor: 'pointer' }} data-testid="record-row">
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    aria-label={`Select ${record.id}`}
                    checked={selected.has(record.id)}
                    onChange={(e) => {
                      const next = new Set(selected);
                      if (e.currentTarget.checked) next.add(record.id);
                      else next.delete(record.id);
                      setSelected(next);
                    }}
                  />
                </Table.Td>
                {fields.map((field) => (
                  <Table.Td key={field.name} onClick={() => collection.type !== 'view' && setEditing(record)}>
                    {cellText(record[field.name])}
                  </Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {records.data && (
        <Group justify="space-between">
          <Text size="sm" c="dimmed">
            Total: {records.data.totalItems}
          </Text>
          <Pagination
            size="sm"
            total={Math.max(records.data.totalPages, 1)}
            value={page}
            onChange={setPage}
            aria-label="Pages"
            getControlProps={(control) => ({ 'aria-label': PAGE_CONTROLS[control] })}
            getItemProps={(item) => ({ 'aria-label': `Page ${item}` })}
          />
        </Group>
      )}
      {editing && (
        <RecordEditor
          collection={collection}
          record={editing === 'new' ? null : editing}
          onClose={(changed) => {
            setEditing(null);
            if (changed) void refresh();
          }}
        />
      )}
      {previewing && (
        <Suspense fallback={null}>
          <ApiPreviewDrawer collection={collection} onClose={() => setPreviewing(false)} />
        </Suspense>
      )}
      {editingCollection && (
        <CollectionEditor
          collection={collection}
          onClose={(saved) => {
            setEditingCollection(false);
            if (saved && saved.id !== collection.id) navigate(`/collections/${saved.id}`);
          }}
          onDeleted={async () => {
            setEditingCollection(false);
            await queryClient.invalidateQueries({ queryKey: COLLECTIONS_KEY });
            navigate('/collections');
          }}
        />
      )}
    </Stack>
  );
}
