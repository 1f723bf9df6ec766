import PocketBase from 'pocketbase';

/**
 * The one SDK client of the dashboard. The API is at the root of the origin serving `/_/`,
 * whichever shape serves it (standalone app or gateway).
 */
export const pb = new PocketBase(new URL('..', window.location.href.split('#', 1)[0]).href.replace(/\/$/, ''));

// React Query dedupes requests itself; the SDK's own auto-cancel would abort overlapping ones.
pb.autoCancellation(false);

export const SUPERUSERS = '_superusers';
