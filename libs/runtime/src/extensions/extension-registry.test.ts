import { describe, expect, it } from 'vitest';
import { cron, defineExtension, type RecordCreateRequestEvent, routes } from './extension-api';
import { ExtensionLoadError, ExtensionRegistry } from './extension-registry';

const posts = { id: 'c1', name: 'posts', type: 'base' as const };
const notes = { id: 'c2', name: 'notes', type: 'base' as const };

function createEvent(): Omit<RecordCreateRequestEvent, 'next'> {
  return {
    collection: posts,
    auth: null,
    request: { method: 'POST', url: '/', headers: {}, query: {}, ip: '127.0.0.1' },
    body: {},
    record: null,
  };
}

describe('ExtensionRegistry', () => {
  it('runs handlers in registration order around the action, each through next()', async () => {
    const trail: string[] = [];
    const registry = new ExtensionRegistry([
      {
        source: 'a.ts',
        extension: defineExtension({
          hooks: {
            onRecordCreateRequest: [
              async (e) => {
                trail.push('a1 before');
                await e.next();
                trail.push('a1 after');
              },
              { collections: ['posts'], handler: (e) => e.next().then(() => void trail.push('a2 after')) },
              { collections: ['notes'], handler: () => void trail.push('never: other collection') },
            ],
          },
        }),
      },
      { source: 'b.ts', extension: { hooks: { onRecordCreateRequest: (e) => e.next() } } },
    ]);
    const ran = await registry.run(
      'onRecordCreateRequest',
      posts,
      createEvent(),
      async () => void trail.push('action'),
    );
    expect(ran).toBe(true);
    expect(trail).toEqual(['a1 before', 'action', 'a2 after', 'a1 after']);
  });

  it('skips the rest of the chain when a handler does not call next(), and calls it once however often next() is called', async () => {
    let actions = 0;
    const skipping = new ExtensionRegistry([
      { source: 'x.ts', extension: { hooks: { onRecordCreateRequest: () => {} } } },
    ]);
    expect(await skipping.run('onRecordCreateRequest', posts, createEvent(), async () => void actions++)).toBe(false);
    const twice = new ExtensionRegistry([
      {
        source: 'y.ts',
        extension: {
          hooks: {
            onRecordCreateRequest: async (e) => {
              await e.next();
              await e.next();
            },
          },
        },
      },
    ]);
    await twice.run('onRecordCreateRequest', posts, createEvent(), async () => void actions++);
    expect(actions).toBe(1);
  });

  it('lets handlers change the event the caller reads back, and refuses by throwing', async () => {
    const registry = new ExtensionRegistry([
      {
        source: 'x.ts',
        extension: {
          hooks: {
            onRecordCreateRequest: async (e) => {
              if (e.body.title === 'no') throw new Error('refused');
              e.body.title = 'changed';
              await e.next();
            },
          },
        },
      },
    ]);
    const event = { ...createEvent(), body: { title: 'yes' } };
    let seen: unknown;
    await registry.run('onRecordCreateRequest', posts, event, async () => {
      seen = event.body.title;
    });
    expect(seen).toBe('changed');
    const refused = { ...createEvent(), body: { title: 'no' } };
    await expect(registry.run('onRecordCreateRequest', posts, refused, async () => undefined)).rejects.toThrow(
      'refused',
    );
  });

  it('answers has() by hook name and collection (name or id)', () => {
    const registry = new ExtensionRegistry([
      { source: 'x.ts', extension: { hooks: { onRecordCreate: { collections: ['c2'], handler: (e) => e.next() } } } },
    ]);
    expect(registry.has('onRecordCreate', notes)).toBe(true);
    expect(registry.has('onRecordCreate', posts)).toBe(false);
    expect(registry.has('onRecordUpdate', notes)).toBe(false);
    expect(registry.hooksAny('onRecordCreate')).toBe(true);
    expect(new ExtensionRegistry().hooksAny('onRecordCreate')).toBe(false);
  });

  it.each([
    [{ hooks: { onRecordBeforeCreate: () => {} } }, 'x.ts: unknown hook name "onRecordBeforeCreate"'],
    [{ hook: {} }, 'x.ts: unknown extension key "hook"'],
    [{ hooks: { onRecordCreate: 'nope' } }, 'x.ts: hook onRecordCreate must be a function or {collections, handler}'],
    [{ hooks: { onRecordCreate: { collections: 'posts', handler: () => {} } } }, 'collections must be a list of names'],
    [{ routes: [routes.get('/hello', () => 1)] }, 'the path must start with /api/'],
    [{ routes: [routes.get('/api/a/:x', () => 1), routes.get('/api/a/:y/', () => 2)] }, 'is declared twice'],
    [{ routes: [{ method: 'TRACE', path: '/api/x', handler: () => 1, middlewares: [] }] }, 'a route must come from'],
    [{ crons: [cron('a', '* * * * *', () => {}), cron('a', '@hourly', () => {})] }, 'cron "a" is declared twice'],
  ])('refuses a bad extension: %j', (extension, message) => {
    expect(() => new ExtensionRegistry([{ source: 'x.ts', extension: extension as never }])).toThrow(
      ExtensionLoadError,
    );
    expect(() => new ExtensionRegistry([{ source: 'x.ts', extension: extension as never }])).toThrow(message);
  });
});
