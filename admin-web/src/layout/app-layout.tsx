import { ActionIcon, AppShell, Burger, Button, Group, Text, Tooltip, useMantineColorScheme } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { lazy, Suspense, useEffect } from 'react';
import { CollectionSidebar } from '../collections/collection-sidebar';
import { pb } from '../pb';
import { matchRoute, navigate } from '../router';
import { Toasts } from './toasts';

// The records page is the usual next step: its chunk is fetched as soon as this frame is.
const loadCollectionPage = () => import('../records/collection-page');
void loadCollectionPage();
const CollectionPage = lazy(() => loadCollectionPage().then((module) => ({ default: module.CollectionPage })));
const LogsPage = lazy(() => import('../logs/logs-page').then((module) => ({ default: module.LogsPage })));
const SettingsPage = lazy(() =>
  import('../settings/settings-page').then((module) => ({ default: module.SettingsPage })),
);
const SqlPage = lazy(() => import('../sql/sql-page').then((module) => ({ default: module.SqlPage })));

function ColorSchemeToggle() {
  const { colorScheme, setColorScheme } = useMantineColorScheme();
  const dark = colorScheme === 'dark';
  return (
    <Tooltip label={dark ? 'Light mode' : 'Dark mode'}>
      <ActionIcon
        variant="default"
        aria-label="Toggle color scheme"
        onClick={() => setColorScheme(dark ? 'light' : 'dark')}
      >
        {dark ? '☀' : '☾'}
      </ActionIcon>
    </Tooltip>
  );
}

/** The signed-in frame: header, the collections sidebar, and the page of the current route. */
export function AppLayout({ route }: { route: string }) {
  const [opened, { toggle, close }] = useDisclosure();
  // On a narrow window the sidebar covers the page: picking a collection (a new route) folds it.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on each route change
  useEffect(() => close(), [route]);
  const collection = matchRoute('/collections/:id', route);
  const settings = route.startsWith('/settings');
  const logs = route.startsWith('/logs');
  const sql = route.startsWith('/sql');
  return (
    <AppShell
      header={{ height: 52 }}
      navbar={{ width: 260, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Toggle navigation" />
            <Text fw={700}>Hivebase</Text>
            <Button
              variant={settings || logs || sql ? 'subtle' : 'light'}
              size="xs"
              onClick={() => navigate('/collections')}
            >
              Collections
            </Button>
            <Button variant={settings ? 'light' : 'subtle'} size="xs" onClick={() => navigate('/settings')}>
              Settings
            </Button>
            <Button variant={logs ? 'light' : 'subtle'} size="xs" onClick={() => navigate('/logs')}>
              Logs
            </Button>
            <Button variant={sql ? 'light' : 'subtle'} size="xs" onClick={() => navigate('/sql')}>
              SQL
            </Button>
          </Group>
          <Group>
            <Text size="sm" c="dimmed" visibleFrom="sm">
              {pb.authStore.record?.email}
            </Text>
            <ColorSchemeToggle />
            <Button variant="default" size="xs" onClick={() => pb.authStore.clear()}>
              Logout
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="sm">
        <CollectionSidebar activeId={collection?.id ?? null} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense fallback={null}>
          {logs ? (
            <LogsPage />
          ) : sql ? (
            <SqlPage />
          ) : settings ? (
            <SettingsPage route={route} />
          ) : collection?.id ? (
            <CollectionPage key={collection.id} idOrName={collection.id} />
          ) : (
            <Text c="dimmed">Pick a collection in the sidebar, or create one.</Text>
          )}
        </Suspense>
        <Toasts />
      </AppShell.Main>
    </AppShell>
  );
}
