import { parseCronExpression } from '@hivebase/platform';
import {
  type ChainedEvent,
  type CronDefinition,
  type Extension,
  HOOK_NAMES,
  type HookCollection,
  type HookEvents,
  type HookHandler,
  type HookName,
  type RouteDefinition,
} from './extension-api';

/** An extension and where it came from (a file, or `code` for extensions passed programmatically). */
export interface LoadedExtension {
  source: string;
  extension: Extension;
}

/** An extension that cannot run: boot stops with this message. */
export class ExtensionLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ExtensionLoadError';
  }
}

interface RegisteredHook {
  /** Collection names and ids it is limited to; null: every collection. */
  collections: ReadonlySet<string> | null;
  handler: HookHandler<never>;
}

/** A route with the extension that declared it. */
export interface RegisteredRoute extends RouteDefinition {
  source: string;
}

export interface RegisteredCron extends CronDefinition {
  source: string;
}

/** What scopes a hook: a collection's id and name. */
type CollectionKey = Pick<HookCollection, 'id' | 'name'>;

const HOOK_NAME_SET: ReadonlySet<string> = new Set(HOOK_NAMES);
const ROUTE_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD']);
type Chainless<E> = Omit<E, 'next'>;
const noop = async () => undefined;

/**
 * Every loaded extension's hooks, routes and crons, validated once at boot. Services ask `has()`
 * before building an event, so a hook nobody registered costs one map lookup and nothing else.
 */
export class ExtensionRegistry {
  private readonly hooks = new Map<string, RegisteredHook[]>();
  readonly routes: readonly RegisteredRoute[];
  readonly crons: readonly RegisteredCron[];
  readonly sources: readonly string[];

  constructor(loaded: readonly LoadedExtension[] = []) {
    const routes: RegisteredRoute[] = [];
    const crons: RegisteredCron[] = [];
    for (const { source, extension } of loaded) {
      if (typeof extension !== 'object' || extension === null) {
        throw new ExtensionLoadError(`${source}: must export an extension (export default defineExtension({...}))`);
      }
      for (const key of Object.keys(extension)) {
        if (!['name', 'hooks', 'routes', 'crons'].includes(key)) {
          throw new ExtensionLoadError(
            `${source}: unknown extension key "${key}" (expected hooks, routes, crons, name)`,
          );
        }
      }
      this.addHooks(source, extension.hooks ?? {});
      for (const route of extension.routes ?? []) routes.push(checkedRoute(source, route, routes));
      for (const job of extension.crons ?? []) crons.push(checkedCron(source, job, crons));
    }
    this.routes = routes;
    this.crons = crons;
    this.sources = loaded.map(({ source }) => source);
  }

  /** Whether any extension hooks `name` for `collection`. */
  has(name: HookName, collection: CollectionKey): boolean {
    const hooks = this.hooks.get(name);
    return hooks?.some((hook) => matches(hook, collection)) ?? false;
  }

  /** Whether anything at all hooks `name` (whatever the collection). */
  hooksAny(name: HookName): boolean {
    return this.hooks.has(name);
  }

  /**
   * Runs `name`'s handlers for `collection` in registration order, each calling `next()` to go
   * on, and `action` after the last. Resolves to whether `action` ran (a handler may skip it).
   */
  async run<Name extends HookName>(
    name: Name,
    collection: HookCollection,
    fields: Chainless<HookEvents[Name]>,
    action: () => Promise<void>,
  ): Promise<boolean> {
    const handlers = (this.hooks.get(name) ?? []).filter((hook) => matches(hook, collection));
    // The caller's object is the event: it reads what handlers changed from it afterwards.
    const event = Object.assign(fields, { next: noop }) as HookEvents[Name] & ChainedEvent;
    let ran = false;
    const step = async (index: number): Promise<void> => {
      if (index === handlers.length) {
        ran = true;
        await action();
        return;
      }
      let called = false;
      const next = async () => {
        // A second call is a no-op, so a handler cannot run the rest of the chain twice.
        if (called) return;
        called = true;
        await step(index + 1);
        event.next = next;
      };
      event.next = next;
      await (handlers[index].handler as HookHandler<HookEvents[Name]>)(event);
    };
    await step(0);
    return ran;
  }

  private addHooks(source: string, hooks: Record<string, unknown>): void {
    if (typeof hooks !== 'object' || hooks === null) throw new ExtensionLoadError(`${source}: hooks must be an object`);
    for (const [name, entry] of Object.entries(hooks)) {
      if (!HOOK_NAME_SET.has(name)) {
        throw new ExtensionLoadError(
          `${source}: unknown hook name "${name}" (known: ${HOOK_NAMES.join(', ')}; see docs/extending.md)`,
        );
      }
      const list = this.hooks.get(name) ?? [];
      for (const item of Array.isArray(entry) ? entry : [entry]) list.push(checkedHook(source, name, item));
      if (list.length > 0) this.hooks.set(name, list);
    }
  }
}

function matches(hook: RegisteredHook, collection: CollectionKey): boolean {
  return hook.collections === null || hook.collections.has(collection.name) || hook.collections.has(collection.id);
}

function checkedHook(source: string, name: string, item: unknown): RegisteredHook {
  if (typeof item === 'function') return { collections: null, handler: item as HookHandler<never> };
  const scoped = item as { collections?: unknown; handler?: unknown } | null;
  if (typeof scoped !== 'object' || scoped === null || typeof scoped.handler !== 'function') {
    throw new ExtensionLoadError(`${source}: hook ${name} must be a function or {collections, handler}`);
  }
  const collections = scoped.collections;
  if (collections !== undefined && !(Array.isArray(collections) && collections.every((c) => typeof c === 'string'))) {
    throw new ExtensionLoadError(`${source}: hook ${name}'s collections must be a list of names`);
  }
  return {
    collections: collections && collections.length > 0 ? new Set(collections) : null,
    handler: scoped.handler as HookHandler<never>,
  };
}

function checkedRoute(source: string, route: RouteDefinition, seen: RegisteredRoute[]): RegisteredRoute {
  const label = `${route?.method} ${route?.path}`;
  if (typeof route !== 'object' || route === null || !ROUTE_METHODS.has(route.method)) {
    throw new ExtensionLoadError(`${source}: a route must come from routes.get/post/put/patch/delete/head`);
  }
  // Only `/api/` reaches the collections service through the gateway (in both shapes).
  if (typeof route.path !== 'string' || !/^\/api\/[\w\-./:]*$/.test(route.path)) {
    throw new ExtensionLoadError(`${source}: route ${label}: the path must start with /api/ (letters, digits, -_./:)`);
  }
  if (typeof route.handler !== 'function') throw new ExtensionLoadError(`${source}: route ${label} has no handler`);
  const twin = seen.find((other) => other.method === route.method && samePattern(other.path, route.path));
  if (twin) throw new ExtensionLoadError(`${source}: route ${label} is declared twice (also in ${twin.source})`);
  return { ...route, middlewares: route.middlewares ?? [], source };
}

/** Routes that differ only in parameter names serve the same requests. */
export function samePattern(a: string, b: string): boolean {
  const shape = (path: string) => path.replace(/\/+$/, '').replace(/:[^/]+/g, ':');
  return shape(a) === shape(b);
}

function checkedCron(source: string, job: CronDefinition, seen: RegisteredCron[]): RegisteredCron {
  if (typeof job !== 'object' || job === null || typeof job.id !== 'string' || job.id === '') {
    throw new ExtensionLoadError(`${source}: a cron must come from cron('id', 'expression', handler)`);
  }
  if (typeof job.expression !== 'string' || typeof job.handler !== 'function') {
    throw new ExtensionLoadError(`${source}: cron ${job.id} needs an expression and a handler`);
  }
  try {
    parseCronExpression(job.expression);
  } catch (error) {
    throw new ExtensionLoadError(`${source}: cron ${job.id}: ${(error as Error).message}`);
  }
  const twin = seen.find((other) => other.id === job.id);
  if (twin) throw new ExtensionLoadError(`${source}: cron "${job.id}" is declared twice (also in ${twin.source})`);
  return { ...job, source };
}
