import type { RequestContext } from '@hivebase/filter';
import type { Collection } from '@hivebase/schema';

/** Who asks, as the records layer needs it: superuser or not, and the rule context. */
export interface RecordAccess {
  isSuperuser: boolean;
  /**
   * A write by the system itself (the auth service's sign-in bookkeeping): superuser rights plus
   * the hidden system fields no request may set, such as an auth record's `tokenKey`.
   */
  system?: boolean;
  /** What `@request.*` reads (auth included). */
  request: RequestContext;
}

/** Whether `access` is the auth record `record` of `collection` itself. */
export function isOwner(access: RecordAccess, collection: Collection, record: Record<string, unknown>): boolean {
  const auth = access.request.auth;
  return auth !== null && auth.collection.id === collection.id && auth.record.id === record.id;
}
