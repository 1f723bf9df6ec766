import {
  ExtensionRegistry,
  type HookCollection,
  type HookEvents,
  type HookName,
  hookAuthOf,
  hookCollectionOf,
  hookRequestOf,
  type RecordRow,
  RequestAuthenticator,
} from '@hivebase/runtime';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';

/** What a flow hands its hook: the event without what every request event has. */
export type AuthHookFields<Name extends HookName> = Omit<HookEvents[Name], 'next' | 'collection' | 'auth' | 'request'>;

/**
 * The auth flows' request hooks (`onRecordAuthRefreshRequest`, `onRecordRequestOTPRequest`…).
 * A flow asks `target()` first: null (nobody hooks it for this collection) costs one map lookup
 * and the flow runs as without extensions.
 */
@Injectable()
export class AuthHooks {
  constructor(
    @Inject(ExtensionRegistry) private readonly extensions: ExtensionRegistry,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
  ) {}

  /** The collection as hooks see it when some extension hooks `name` for it, else null. */
  target(name: HookName, collection: { id: string; name: string; type: string }): HookCollection | null {
    if (!this.extensions.hooksAny(name)) return null;
    const target = hookCollectionOf(collection);
    return this.extensions.has(name, target) ? target : null;
  }

  /**
   * Runs `name`'s handlers, then `action` with the event as they left it. Resolves to the
   * event and whether `action` ran (a handler may return without `next()`).
   */
  async run<Name extends HookName>(
    name: Name,
    target: HookCollection,
    request: FastifyRequest,
    fields: AuthHookFields<Name>,
    action: (event: HookEvents[Name]) => Promise<void>,
  ): Promise<{ event: HookEvents[Name]; ran: boolean }> {
    const event = {
      ...fields,
      collection: target,
      auth: hookAuthOf(await this.authenticator.of(request)),
      request: hookRequestOf(request),
    } as unknown as Omit<HookEvents[Name], 'next'>;
    const ran = await this.extensions.run(name, target, event, () => action(event as HookEvents[Name]));
    return { event: event as HookEvents[Name], ran };
  }
}

/** A record as hooks see it: no password hash, no tokenKey (a copy: the flow keeps its own row). */
export function hookRecordOf(record: RecordRow): Record<string, unknown> {
  const { password: _password, tokenKey: _tokenKey, ...rest } = record;
  return rest;
}

/** A row with what a hook changed on its copy laid over it (the secrets stay the row's). */
export function rowWithHookChanges(row: RecordRow, changed: Record<string, unknown>): RecordRow {
  const { password: _password, tokenKey: _tokenKey, ...values } = changed;
  return { ...row, ...values, id: row.id } as RecordRow;
}
