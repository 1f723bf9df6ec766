import { useSyncExternalStore } from 'react';

/** The current hash route without its `#` (`/collections/abc`), `/` when empty. */
function currentRoute(): string {
  const hash = window.location.hash.replace(/^#/, '');
  return hash === '' ? '/' : hash;
}

function subscribe(onChange: () => void): () => void {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
}

/**
 * Hash routes, as PocketBase's dashboard (`/_/#/pbinstall/{token}`, the auth mails'
 * `/_/#/auth/...` links): the server only ever serves `/_/`.
 */
export function useRoute(): string {
  return useSyncExternalStore(subscribe, currentRoute);
}

export function navigate(route: string): void {
  window.location.hash = route;
}

/** `pattern` like `/collections/:id` matched against `route`; the named segments, or null. */
export function matchRoute(pattern: string, route: string): Record<string, string> | null {
  const path = route.split('?', 1)[0] ?? '';
  const want = pattern.split('/');
  const have = path.split('/');
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const segment = want[i] ?? '';
    const value = have[i] ?? '';
    if (segment.startsWith(':')) {
      if (value === '') return null;
      params[segment.slice(1)] = decodeURIComponent(value);
    } else if (segment !== value) {
      return null;
    }
  }
  return params;
}
