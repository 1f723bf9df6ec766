import type { RequestContext } from '../../src';
import { posts, ROWS, users } from '../../src/testing/fixtures';

/** 2024-03-01 (a Friday) 12:00 UTC: the date macros in the table read this. */
export const NOW = new Date('2024-03-01T12:00:00.000Z');

export const AUTH_REQUEST: RequestContext = {
  context: 'default',
  method: 'GET',
  headers: { 'X-Token': 'abc' },
  query: { page: '2' },
  body: { title: 'Hello World', views: '10', labels: ['a', 'c'], tags: ['t1', 't2'] },
  auth: { collection: users, record: ROWS.users?.[0] ?? {} },
};

export const GUEST_REQUEST: RequestContext = { ...AUTH_REQUEST, auth: null };

export const postRecord = (id: string) => {
  const row = ROWS.posts?.find((r) => r.id === id);
  if (!row) throw new Error(`no post ${id}`);
  return row;
};

export const POST_IDS = (ROWS.posts ?? []).map((r) => String(r.id));
export { posts };
