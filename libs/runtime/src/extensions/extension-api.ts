import { ClientError, type ErrorData } from '@hivebase/contracts';

// The public surface of framework mode: what `import … from 'hivebase'` gives an extension.
// Extensions are type-checked against this file at boot, so it imports nothing but contracts.

type Json = Record<string, unknown>;

/** A collection as hooks see it. */
export interface HookCollection {
  id: string;
  name: string;
  type: 'base' | 'auth' | 'view';
}

/** The signed-in caller of a request, or null for a guest. */
export interface HookAuth {
  collectionId: string;
  collectionName: string;
  /** The auth record as stored (password hash and tokenKey left out). */
  record: Json & { id: string };
  isSuperuser: boolean;
}

/** The HTTP request behind an event. */
export interface HookRequest {
  method: string;
  /** Path and query string. */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  query: Record<string, unknown>;
  ip: string;
}

/** What every chained event has: `next()` runs the following handlers and then the default action. */
export interface ChainedEvent {
  /**
   * Runs the rest of the chain (later handlers, then Hivebase's own action). A handler that
   * returns without calling it skips them; one that throws refuses the request.
   */
  next(): Promise<void>;
}

interface RequestEventBase extends ChainedEvent {
  collection: HookCollection;
  auth: HookAuth | null;
  request: HookRequest;
}

/** `POST /api/collections/{c}/records`. `body` is what gets written; `record` is the answer once `next()` resolved. */
export interface RecordCreateRequestEvent extends RequestEventBase {
  body: Json;
  record: Json | null;
}

/** `PATCH /api/collections/{c}/records/{id}`. */
export interface RecordUpdateRequestEvent extends RequestEventBase {
  id: string;
  body: Json;
  record: Json | null;
}

/** `DELETE /api/collections/{c}/records/{id}`. */
export interface RecordDeleteRequestEvent extends RequestEventBase {
  id: string;
}

/** `GET /api/collections/{c}/records/{id}`; `record` is the answer once `next()` resolved. */
export interface RecordViewRequestEvent extends RequestEventBase {
  id: string;
  record: Json | null;
}

/** A page of records as `GET …/records` answers it. */
export interface RecordsPage {
  items: Json[];
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
}

/** `GET /api/collections/{c}/records`; `result` is the answer once `next()` resolved. */
export interface RecordsListRequestEvent extends RequestEventBase {
  result: RecordsPage | null;
}

/**
 * A write of one record, inside its transaction (every write: records API, batch, sign-up).
 * `record` holds the column values to be written; what a handler changes there before `next()`
 * is validated and written. After `next()` it is the row as written, still uncommitted: throwing
 * then rolls the write back.
 */
export interface RecordModelEvent extends ChainedEvent {
  collection: HookCollection;
  record: Json;
  /** An update's or delete's row as it was. */
  original: Json | null;
}

/** Reads for hooks that run once a write has ended (each on a connection of its own, so it sees what is committed). */
export interface HookApp {
  /** A record as stored (password hash and tokenKey left out), or null; `collection` by name or id. */
  findRecordById(collection: string, id: string): Promise<Json | null>;
}

/** After the transaction of a write committed: the record as stored. */
export interface RecordSuccessEvent extends ChainedEvent {
  collection: HookCollection;
  record: Json;
  app: HookApp;
}

/** After a write failed (its transaction rolled back). */
export interface RecordErrorEvent extends ChainedEvent {
  collection: HookCollection;
  record: Json;
  error: unknown;
  app: HookApp;
}

/** Any successful sign-in answer (`{token, record, meta?}`); handlers may change all three before `next()`. */
export interface RecordAuthRequestEvent extends RequestEventBase {
  record: Json;
  token: string;
  meta: Json | null;
  /** `password`, `otp`, `oauth2`, or `` for token flows (refresh, impersonation). */
  authMethod: string;
}

/** `POST …/auth-with-password`, after the identity was looked up (`record` null when unknown). */
export interface RecordAuthWithPasswordRequestEvent extends RequestEventBase {
  identity: string;
  identityField: string;
  password: string;
  record: Json | null;
}

/** `POST …/auth-refresh`: `record` is the caller's record; what a handler changes there is answered. */
export interface RecordAuthRefreshRequestEvent extends RequestEventBase {
  record: Json;
}

/** `POST …/auth-with-oauth2`, after the provider answered and the record was looked up (null: a sign-up). */
export interface RecordAuthWithOAuth2RequestEvent extends RequestEventBase {
  providerName: string;
  record: Json | null;
  /** What the provider said (`id, name, username, email, avatarURL, rawUser, accessToken, refreshToken, expiry`). */
  oauth2User: Json;
  /** The sign-up's field values (a new record only); change them before `next()`. */
  createData: Json;
  isNewRecord: boolean;
}

/** `POST …/request-otp`: `record` null for an unknown email (answered with a made-up otpId); `password` is the code mailed. */
export interface RecordRequestOTPRequestEvent extends RequestEventBase {
  record: Json | null;
  password: string;
}

/** The one-time password being used (its hash left out). */
export interface HookOTP {
  id: string;
  collectionRef: string;
  recordRef: string;
  sentTo: string;
  created: string;
}

/** `POST …/auth-with-otp`, once the code was checked. */
export interface RecordAuthWithOTPRequestEvent extends RequestEventBase {
  record: Json;
  otp: HookOTP;
}

/** `POST …/request-password-reset`, for a record with that email (none: 204 without the hook). */
export interface RecordRequestPasswordResetRequestEvent extends RequestEventBase {
  record: Json;
}

/** `POST …/confirm-password-reset`, once the token and passwords were checked. */
export interface RecordConfirmPasswordResetRequestEvent extends RequestEventBase {
  record: Json;
}

/** `POST …/request-verification`, for a record with that email (none: 204 without the hook). */
export interface RecordRequestVerificationRequestEvent extends RequestEventBase {
  record: Json;
}

/** `POST …/confirm-verification`, once the token was checked. */
export interface RecordConfirmVerificationRequestEvent extends RequestEventBase {
  record: Json;
}

/** `POST …/request-email-change` (the caller's record); the link goes to `newEmail`. */
export interface RecordRequestEmailChangeRequestEvent extends RequestEventBase {
  record: Json;
  newEmail: string;
}

/** `POST …/confirm-email-change`, once the token and password were checked. */
export interface RecordConfirmEmailChangeRequestEvent extends RequestEventBase {
  record: Json;
  newEmail: string;
}

/** Every hook name Hivebase runs, with its event. */
export interface HookEvents {
  onRecordCreateRequest: RecordCreateRequestEvent;
  onRecordUpdateRequest: RecordUpdateRequestEvent;
  onRecordDeleteRequest: RecordDeleteRequestEvent;
  onRecordViewRequest: RecordViewRequestEvent;
  onRecordsListRequest: RecordsListRequestEvent;
  onRecordCreate: RecordModelEvent;
  onRecordUpdate: RecordModelEvent;
  onRecordDelete: RecordModelEvent;
  onRecordAfterCreateSuccess: RecordSuccessEvent;
  onRecordAfterUpdateSuccess: RecordSuccessEvent;
  onRecordAfterDeleteSuccess: RecordSuccessEvent;
  onRecordAfterCreateError: RecordErrorEvent;
  onRecordAfterUpdateError: RecordErrorEvent;
  onRecordAfterDeleteError: RecordErrorEvent;
  onRecordAuthRequest: RecordAuthRequestEvent;
  onRecordAuthWithPasswordRequest: RecordAuthWithPasswordRequestEvent;
  onRecordAuthRefreshRequest: RecordAuthRefreshRequestEvent;
  onRecordAuthWithOAuth2Request: RecordAuthWithOAuth2RequestEvent;
  onRecordRequestOTPRequest: RecordRequestOTPRequestEvent;
  onRecordAuthWithOTPRequest: RecordAuthWithOTPRequestEvent;
  onRecordRequestPasswordResetRequest: RecordRequestPasswordResetRequestEvent;
  onRecordConfirmPasswordResetRequest: RecordConfirmPasswordResetRequestEvent;
  onRecordRequestVerificationRequest: RecordRequestVerificationRequestEvent;
  onRecordConfirmVerificationRequest: RecordConfirmVerificationRequestEvent;
  onRecordRequestEmailChangeRequest: RecordRequestEmailChangeRequestEvent;
  onRecordConfirmEmailChangeRequest: RecordConfirmEmailChangeRequestEvent;
}

export type HookName = keyof HookEvents;

/** Hook names, for the loader's check of unknown names. */
export const HOOK_NAMES: readonly HookName[] = [
  'onRecordCreateRequest',
  'onRecordUpdateRequest',
  'onRecordDeleteRequest',
  'onRecordViewRequest',
  'onRecordsListRequest',
  'onRecordCreate',
  'onRecordUpdate',
  'onRecordDelete',
  'onRecordAfterCreateSuccess',
  'onRecordAfterUpdateSuccess',
  'onRecordAfterDeleteSuccess',
  'onRecordAfterCreateError',
  'onRecordAfterUpdateError',
  'onRecordAfterDeleteError',
  'onRecordAuthRequest',
  'onRecordAuthWithPasswordRequest',
  'onRecordAuthRefreshRequest',
  'onRecordAuthWithOAuth2Request',
  'onRecordRequestOTPRequest',
  'onRecordAuthWithOTPRequest',
  'onRecordRequestPasswordResetRequest',
  'onRecordConfirmPasswordResetRequest',
  'onRecordRequestVerificationRequest',
  'onRecordConfirmVerificationRequest',
  'onRecordRequestEmailChangeRequest',
  'onRecordConfirmEmailChangeRequest',
];

export type HookHandler<E> = (event: E) => void | Promise<void>;

/** A handler limited to collections by name or id (all collections when `collections` is absent or empty). */
export interface ScopedHook<E> {
  collections?: string[];
  handler: HookHandler<E>;
}

export type HookEntry<E> = HookHandler<E> | ScopedHook<E> | (HookHandler<E> | ScopedHook<E>)[];

export type ExtensionHooks = { [Name in HookName]?: HookEntry<HookEvents[Name]> };

/** A custom route's request. */
export interface RouteEvent {
  request: HookRequest;
  /** Path parameters (`/api/items/:id` → `{id}`). */
  params: Record<string, string>;
  auth: HookAuth | null;
  /** The parsed body (JSON object, multipart fields, or undefined). */
  body: unknown;
  /** Answers with JSON (the `fields` query parameter trims it, as PocketBase's `e.JSON`). */
  json(status: number, data: unknown): RouteResponse;
  /** Answers with text. */
  text(status: number, text: string): RouteResponse;
  /** Answers with no body (204 unless given). */
  noContent(status?: number): RouteResponse;
}

/** What `e.json()`, `e.text()` and `e.noContent()` return; a handler returns it. */
export interface RouteResponse {
  readonly status: number;
  readonly kind: 'json' | 'text' | 'empty';
  readonly payload: unknown;
}

/** A handler's answer: a `RouteResponse`, or any other value sent as 200 JSON (undefined: 204). */
export type RouteHandler = (event: RouteEvent) => unknown;

/** Runs before the handler; throw to refuse the request. */
export interface RouteMiddleware {
  readonly kind: 'requireAuth' | 'requireSuperuserAuth' | 'requireGuestOnly' | 'bodyLimit' | 'custom';
  /** Largest body in bytes (`bodyLimit` only). */
  readonly limit?: number;
  readonly check: (event: RouteEvent) => void | Promise<void>;
}

export type RouteMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'HEAD';

export interface RouteDefinition {
  method: RouteMethod;
  path: string;
  handler: RouteHandler;
  middlewares: RouteMiddleware[];
}

/** A scheduled job: `expression` is a 5-field cron expression (or a macro such as `@hourly`). */
export interface CronDefinition {
  id: string;
  expression: string;
  handler: () => void | Promise<void>;
}

/** One extension module's contributions. */
export interface Extension {
  /** Shown in boot logs and errors; defaults to the file name. */
  name?: string;
  hooks?: ExtensionHooks;
  routes?: RouteDefinition[];
  crons?: CronDefinition[];
}

/** Declares an extension (the default export of a module in `hb_hooks/`). Identity at run time; it types the object. */
export function defineExtension(extension: Extension): Extension {
  return extension;
}

function route(method: RouteMethod) {
  return (path: string, handler: RouteHandler, ...middlewares: RouteMiddleware[]): RouteDefinition => ({
    method,
    path,
    handler,
    middlewares,
  });
}

/** Route builders: `routes.get('/api/hello', handler, requireSuperuserAuth())`. */
export const routes = {
  get: route('GET'),
  post: route('POST'),
  put: route('PUT'),
  patch: route('PATCH'),
  delete: route('DELETE'),
  head: route('HEAD'),
} as const;

/** A cron job: `cron('cleanup', '*\/5 * * * *', async () => …)`. */
export function cron(id: string, expression: string, handler: () => void | Promise<void>): CronDefinition {
  return { id, expression, handler };
}

/**
 * A refusal with PocketBase's error shape `{status, message, data}`, from a hook or a route.
 * Any other thrown error answers 500 (and is logged).
 */
export class HookError extends ClientError {
  readonly code = 'extension_error';
  readonly publicMessage: string | undefined;
  constructor(
    readonly status: number,
    message?: string,
    readonly data: ErrorData = {},
  ) {
    super(message ?? `HTTP ${status}`);
    this.name = 'HookError';
    this.publicMessage = message;
  }
}

export const badRequestError = (message?: string, data?: ErrorData) => new HookError(400, message, data);
export const unauthorizedError = (message?: string) => new HookError(401, message);
export const forbiddenError = (message?: string) => new HookError(403, message);
export const notFoundError = (message?: string) => new HookError(404, message);

/**
 * Only signed-in callers: 401 for guests; with `collections` (names or ids), 403 for records of
 * other collections (as PocketBase's `apis.RequireAuth`).
 */
export function requireAuth(...collections: string[]): RouteMiddleware {
  return {
    kind: 'requireAuth',
    check: ({ auth }) => {
      if (!auth) throw unauthorizedError('The request requires valid record authorization token.');
      if (
        collections.length > 0 &&
        !collections.includes(auth.collectionName) &&
        !collections.includes(auth.collectionId)
      ) {
        throw forbiddenError('The authorized record is not allowed to perform this action.');
      }
    },
  };
}

/** Only superusers: 401 for guests, 403 for other records (as PocketBase's `apis.RequireSuperuserAuth`). */
export function requireSuperuserAuth(): RouteMiddleware {
  return {
    kind: 'requireSuperuserAuth',
    check: ({ auth }) => {
      if (!auth) throw unauthorizedError('The request requires valid record authorization token.');
      if (!auth.isSuperuser) throw forbiddenError('The authorized record is not allowed to perform this action.');
    },
  };
}

/** Only guests: 400 for a signed-in caller (as PocketBase's `apis.RequireGuestOnly`). */
export function requireGuestOnly(): RouteMiddleware {
  return {
    kind: 'requireGuestOnly',
    check: ({ auth }) => {
      if (auth) throw badRequestError('The request can be accessed only by guests.');
    },
  };
}

/** Refuses bodies over `bytes` with 413 (the gateway's 32 MiB limit applies on top). */
export function bodyLimit(bytes: number): RouteMiddleware {
  return { kind: 'bodyLimit', limit: bytes, check: () => undefined };
}

/** A middleware of your own: throw a `HookError` to refuse. */
export function middleware(check: (event: RouteEvent) => void | Promise<void>): RouteMiddleware {
  return { kind: 'custom', check };
}
