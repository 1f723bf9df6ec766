import '@mantine/core/styles.css';
import { ColorSchemeScript, createTheme, Drawer, MantineProvider, Modal } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { collectionsQuery } from './collections/use-collections';
import { pb } from './pb';

// Mantine's close buttons draw an icon only: they get a name screen readers can say.
const closeButtonProps = { 'aria-label': 'Close' };
const theme = createTheme({
  primaryColor: 'yellow',
  defaultRadius: 'sm',
  components: {
    Drawer: Drawer.extend({ defaultProps: { closeButtonProps } }),
    Modal: Modal.extend({ defaultProps: { closeButtonProps } }),
  },
});
const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false } } });
// A stored session asks for the collections while the token is refreshed and the pages load.
if (pb.authStore.isValid) void queryClient.prefetchQuery(collectionsQuery);

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <ColorSchemeScript defaultColorScheme="auto" />
      <MantineProvider theme={theme} defaultColorScheme="auto">
        <QueryClientProvider client={queryClient}>
          <App />
        </QueryClientProvider>
      </MantineProvider>
    </StrictMode>,
  );
}
