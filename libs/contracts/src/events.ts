/** Bus event published after a record was created, updated or deleted (see docs/events.md). */
export const RECORD_CHANGED = 'record.changed';

/**
 * Payload of `record.changed`. Delivered at least once, in commit order per record: a consumer
 * may see the same event twice and must tolerate it.
 */
export interface RecordChangedEvent {
  action: 'create' | 'update' | 'delete';
  collectionId: string;
  collectionName: string;
  /**
   * The stored row as the records layer gives it, every field included (hidden ones too):
   * consumers decide what a client may see. For `delete`, the row as it was.
   */
  record: Record<string, unknown>;
  /** For `update`: the row before the change. */
  previous?: Record<string, unknown>;
}

/**
 * Bus event published with `record.changed` when the change updated or deleted a record of an
 * auth collection (the outbox relay sends both, from the same outbox row): what caches signed-in
 * records needs, without every process receiving every record change.
 */
export const AUTH_RECORD_CHANGED = 'auth.recordChanged';

export interface AuthRecordChangedEvent {
  collectionId: string;
  recordId: string;
}

/**
 * Bus event published after an auth record's tokenKey changed (a new password, a password reset,
 * `hivebase superuser upsert`, …): every replica drops what it cached of the record, so tokens
 * signed with the old key stop working at once rather than when the cache entry expires.
 */
export const AUTH_TOKEN_KEY_CHANGED = 'auth.tokenKeyChanged';

export interface AuthTokenKeyChangedEvent {
  collectionId: string;
  recordId: string;
}

/**
 * Bus event published by the auth service when an OAuth2 provider redirects the browser to
 * `/api/oauth2-redirect`: the realtime service delivers `{state, code, error}` to the client whose
 * id is `clientId` (the redirect's `state`) on the `@oauth2` topic, as PocketBase's all-in-one
 * `authWithOAuth2()` popup flow expects, and drops that client's `@oauth2` subscription.
 */
export const REALTIME_OAUTH2 = 'realtime.oauth2';

export interface RealtimeOAuth2Event {
  clientId: string;
  state: string;
  code: string;
  /** The provider's error, `""` when none (PocketBase's message then omits the key). */
  error: string;
}

/** Bus event published after the settings document was saved; every replica reloads it from `_params`. */
export const SETTINGS_CHANGED = 'settings.changed';

/** Bus event published after a schema change committed; every replica reloads the collections. */
export const SCHEMA_CHANGED = 'schema.changed';

/**
 * Bus event published after a backup was restored (the whole database replaced): every replica
 * drops what it cached of auth records (tokenKeys may differ). The schema and settings follow
 * their own `schema.changed` / `settings.changed`, published with it.
 */
export const BACKUP_RESTORED = 'backup.restored';

export interface BackupRestoredEvent {
  /** The restored backup's key. */
  name: string;
}
