import { Badge, Button, Divider, NavLink, ScrollArea, Stack, Text, TextInput } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import type { CollectionModel } from 'pocketbase';
import { useMemo, useRef, useState } from 'react';
import { navigate } from '../router';
import { CollectionEditor } from './collection-editor';
import { useCollections } from './use-collections';

function CollectionLink({ collection, active }: { collection: CollectionModel; active: boolean }) {
  return (
    <NavLink
      href={`#/collections/${collection.id}`}
      label={collection.name}
      active={active}
      rightSection={
        collection.type === 'base' ? null : (
          <Badge size="xs" variant="light">
            {collection.type}
          </Badge>
        )
      }
    />
  );
}

/** The collections list with a search box, system collections last, and "New collection". */
export function CollectionSidebar({ activeId }: { activeId: string | null }) {
  const { data = [], error } = useCollections();
  const [search, setSearch] = useState('');
  const [creating, setCreating] = useState(false);
  const searchInput = useRef<HTMLInputElement>(null);
  useHotkeys([['mod+K', () => searchInput.current?.focus()]]);

  const [own, system] = useMemo(() => {
    const needle = search.trim().toLowerCase();
    const matching = data.filter((collection) => collection.name.toLowerCase().includes(needle));
    return [matching.filter((c) => !c.system), matching.filter((c) => c.system)];
  }, [data, search]);

  return (
    <Stack gap="xs" h="100%">
      <TextInput
        ref={searchInput}
        placeholder="Search collections…"
        aria-label="Search collections"
        value={search}
        onChange={(event) => setSearch(event.currentTarget.value)}
      />
      <ScrollArea style={{ flex: 1 }}>
        {error && <Text c="red">{error.message}</Text>}
        {own.map((collection) => (
          <CollectionLink key={collection.id} collection={collection} active={collection.id === activeId} />
        ))}
        {own.length === 0 && (
          <Text size="sm" c="dimmed" p="xs">
            {search ? 'No collection matches.' : 'No collections yet.'}
          </Text>
        )}
        {system.length > 0 && <Divider my="xs" label="System" labelPosition="left" />}
        {system.map((collection) => (
          <CollectionLink key={collection.id} collection={collection} active={collection.id === activeId} />
        ))}
      </ScrollArea>
      <Button variant="light" onClick={() => setCreating(true)}>
        + New collection
      </Button>
      {creating && (
        <CollectionEditor
          collection={null}
          onClose={(saved) => {
            setCreating(false);
            if (saved) navigate(`/collections/${saved.id}`);
          }}
        />
      )}
    </Stack>
  );
}
