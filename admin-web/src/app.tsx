import { Center, Loader } from '@mantine/core';
import { lazy, Suspense, useEffect, useState } from 'react';
import {
  ConfirmEmailChangePage,
  ConfirmPasswordResetPage,
  ConfirmVerificationPage,
  OAuth2RedirectPage,
  RequestPasswordResetPage,
} from './pages/account-pages';
import { InstallerPage } from './pages/installer-page';
import { LoginPage } from './pages/login-page';
import { pb, SUPERUSERS } from './pb';
import { matchRoute, navigate, useRoute } from './router';
import { useSuperuser } from './use-auth';

// Everything behind the sign-in is loaded on demand, so the first page stays small; with a
// stored session it is fetched at once, alongside the token refresh rather than after it.
const loadAppLayout = () => import('./layout/app-layout');
if (pb.authStore.isValid) void loadAppLayout();
const AppLayout = lazy(() => loadAppLayout().then((module) => ({ default: module.AppLayout })));

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

/** Pages the account mails and OAuth2 redirects open: they work signed in or not. */
function accountPage(route: string) {
  const token = (pattern: string) => matchRoute(pattern, route)?.token;
  const reset = token('/auth/confirm-password-reset/:token');
  if (reset) return <ConfirmPasswordResetPage token={reset} />;
  const verification = token('/auth/confirm-verification/:token');
  if (verification) return <ConfirmVerificationPage token={verification} />;
  const emailChange = token('/auth/confirm-email-change/:token');
  if (emailChange) return <ConfirmEmailChangePage token={emailChange} />;
  if (route === '/auth/oauth2-redirect-success') return <OAuth2RedirectPage success />;
  if (route === '/auth/oauth2-redirect-failure') return <OAuth2RedirectPage success={false} />;
  if (route === '/request-password-reset' && !pb.authStore.isValid) return <RequestPasswordResetPage />;
  return null;
}

export function App() {
  const route = useRoute();
  const superuser = useSuperuser();
  const ready = useRefreshedSession();

  const install = matchRoute('/pbinstall/:token', route);
  if (install?.token) return <InstallerPage token={install.token} />;
  const publicPage = accountPage(route);
  if (publicPage) return publicPage;
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
