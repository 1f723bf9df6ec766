import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect, useState } from 'react';
import { InstallerPage } from './pages/installer-page';
import { LoginPage } from './pages/login-page';
import { pb, SUPERUSERS } from './pb';
import { matchRoute, navigate, useRoute } from './router';
import { useSuperuser } from './use-auth';

// Everything behind the sign-in is loaded on demand, so the first page stays small.
const AppLayout = lazy(() => import('./layout/app-layout').then((module) => ({ default: module.AppLayout })));

const Loading = () => (
  <Center h="100vh">
    <Loader aria-label="Loading" />
  </Center>
);

/** On load, a stored session is refreshed once (a new token, or signed out if it was revoked). */
function useRefreshedSession(): boolean {
  const [ready, setReady] = useState(!pb.authStore.isValid);
  useEffect(() => {
    if (!pb.authStore.isValid) return;
    pb.collection(SUPERUSERS)
      .authRefresh()
      .catch(() => pb.authStore.clear())
      .finally(() => setReady(true));
  }, []);
  return ready;
}

export function App() {
  const route = useRoute();
  const superuser = useSuperuser();
  const ready = useRefreshedSession();

  const install = matchRoute('/pbinstall/:token', route);
  if (install?.token) return <InstallerPage token={install.token} />;
  if (!ready) return <Loading />;
  if (!superuser) return <LoginPage />;
  if (route === '/' || route === '/login') {
    navigate('/collections');
    return <Loading />;
  }
  return (
    <Suspense fallback={<Loading />}>
      <AppLayout route={route} />
    </Suspense>
  );
}
