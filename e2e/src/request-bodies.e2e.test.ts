import PocketBase from 'pocketbase';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BootedWithRoot, bootWithRoot, failure, SHAPE_NAMES } from './support/auth-fixture';

const GENERIC = 'Something went wrong while processing your request.';
const UNSUPPORTED = 'Unsupported Content-Type.';
const LOAD = 'An error occurred while loading the submitted data.';

// Bodies PocketBase's BindBody cannot read, sent through the SDK's `send` and plain fetch, in both
// shapes (through the gateway in the distributed one): each route answers as its PocketBase
// handler does, and nothing is written.
describe.each(SHAPE_NAMES)('request bodies as PocketBase binds them (%s)', (shape) => {
  let booted: BootedWithRoot;
  let root: PocketBase;
  let guest: PocketBase;
  let noteId = '';

  const countNotes = async () => (await root.collection('notes').getList(1, 1)).totalItems;

  /** The SDK sending `body` as it is, labelled `contentType`; the error it throws, or null. */
  const refusal = async (pb: PocketBase, method: string, path: string, body: string, contentType: string) => {
    const error = await failure(pb.send(path, { method, body, headers: { 'Content-Type': contentType } }));
    return { status: error.status, body: error.response };
  };
  const answer = (message: string, status = 400) => ({ status, body: { data: {}, message, status } });

  beforeAll(async () => {
    booted = await bootWithRoot(shape);
    root = booted.root;
    guest = new PocketBase(booted.running.baseUrl);
    await root.collections.create({
      name: 'notes',
      type: 'base',
      createRule: '',
      updateRule: '',
      listRule: '',
      fields: [{ name: 'title', type: 'text' }],
    });
    await root.settings.update({ batch: { enabled: true, maxRequests: 10 } });
    noteId = (await guest.collection('notes').create({ title: 'first' })).id;
    const password = 'body-user-password-1';
    await root.collection('users').create({ email: 'body@example.com', password, passwordConfirm: password });
  });
  afterAll(async () => {
    await booted?.stop();
  });

  it.each<[string, string, string, string, string, ReturnType<typeof answer>]>([
    ['a cut-off JSON record', 'POST', '/api/collections/notes/records', '{"title', 'application/json', answer(GENERIC)],
    [
      'a JSON array record',
      'POST',
      '/api/collections/notes/records',
      '[{"title":"a"}]',
      'application/json',
      answer(GENERIC),
    ],
    ['a text record', 'POST', '/api/collections/notes/records', '{"title":"a"}', 'text/plain', answer(UNSUPPORTED)],
    ['an XML record', 'POST', '/api/collections/notes/records', '<title>a</title>', 'application/xml', answer(GENERIC)],
    [
      'a record update of a form that does not parse',
      'PATCH',
      '/api/collections/notes/records/{id}',
      'title=%zz',
      'application/x-www-form-urlencoded',
      answer(GENERIC),
    ],
    [
      'a cut-off sign-in',
      'POST',
      '/api/collections/users/auth-with-password',
      '{"identity',
      'application/json',
      answer(LOAD),
    ],
    ['a text sign-in', 'POST', '/api/collections/users/auth-with-password', 'x', 'text/plain', answer(UNSUPPORTED)],
    [
      'a text reset confirmation',
      'POST',
      '/api/collections/users/confirm-password-reset',
      'x',
      'text/plain',
      answer(LOAD),
    ],
    ['a cut-off subscription', 'POST', '/api/realtime', '{"clientId', 'application/json', answer(GENERIC)],
    [
      'a text batch',
      'POST',
      '/api/batch',
      '{"requests":[]}',
      'text/plain',
      answer('Failed to read the submitted batch data.'),
    ],
  ])('answers %s as PocketBase', async (_case, method, path, body, contentType, expected) => {
    const before = await countNotes();
    expect(await refusal(guest, method, path.replace('{id}', noteId), body, contentType)).toEqual(expected);
    expect(await countNotes()).toBe(before);
  });

  it('answers superuser routes by their own messages, after the superuser check', async () => {
    expect(await refusal(root, 'PATCH', '/api/settings', 'x', 'text/plain')).toEqual(answer(LOAD));
    expect(await refusal(root, 'POST', '/api/sql', 'select 1', 'text/plain')).toEqual(answer(UNSUPPORTED));
    expect(await refusal(root, 'POST', '/api/collections', '{"name', 'application/json')).toEqual(
      answer('Failed to load the collection type data due to invalid formatting.'),
    );
    expect((await refusal(guest, 'POST', '/api/sql', '{"query', 'application/json')).status).toBe(401);
    expect((await refusal(guest, 'POST', '/api/collections/missing/records', '{"', 'application/json')).status).toBe(
      404,
    );
  });

  it('binds the first JSON value, a JSON null and forms as PocketBase does', async () => {
    const first = await guest.send('/api/collections/notes/records', {
      method: 'POST',
      body: '{"title":"kept"} {"title":"never read"}',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(first.title).toBe('kept');
    const empty = await guest.send('/api/collections/notes/records', {
      method: 'POST',
      body: 'null',
      headers: { 'Content-Type': 'application/json' },
    });
    expect(empty.title).toBe('');
    const form = await fetch(`${booted.running.baseUrl}/api/collections/notes/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ title: 'from a form', '@jsonPayload': '{"title":"from its payload"}' }),
    });
    expect(form.status).toBe(200);
    expect(((await form.json()) as { title: string }).title).toBe('from its payload');
  });

  it('updates nothing for an empty body, whatever its Content-Type', async () => {
    const response = await fetch(`${booted.running.baseUrl}/api/collections/notes/records/${noteId}`, {
      method: 'PATCH',
      headers: { 'content-type': 'text/plain' },
    });
    expect(response.status).toBe(200);
    expect(((await response.json()) as { title: string }).title).toBe('first');
  });

  it('keeps SDK writes as they were (JSON and multipart with @jsonPayload)', async () => {
    const json = await guest.collection('notes').create({ title: 'json' });
    expect(json.title).toBe('json');
    const form = new FormData();
    form.append('@jsonPayload', JSON.stringify({ title: 'multipart' }));
    const multipart = await guest.collection('notes').create(form);
    expect(multipart.title).toBe('multipart');
  });
});
