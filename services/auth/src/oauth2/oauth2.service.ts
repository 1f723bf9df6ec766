import type { FieldError, UploadedFile } from '@hivebase/contracts';
import { APP_CONFIG, ApiError, type BaseConfig, notFound } from '@hivebase/platform';
import { fileMaxSize, type RecordAccess, RecordsError } from '@hivebase/records';
import {
  downloadFile,
  isSuperuser,
  type RecordRow,
  type RequestAuth,
  RequestAuthenticator,
  ruleContextOf,
} from '@hivebase/runtime';
import {
  type AuthCollection,
  definitionOf,
  quoteIdent,
  randomString,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { CodeChallengeMethod, OAuth2Client } from 'arctic';
import type { FastifyRequest } from 'fastify';
import type { PoolClient } from 'pg';
import { AuthError } from '../core/auth.errors';
import { AuthHooks, hookRecordOf } from '../core/auth-hooks';
import { AuthRecords, bodyObject, identityCondition } from '../core/auth-records';
import { AuthResponder, type AuthResponse } from '../core/auth-responder';
import { REQUIRED } from '../core/validation';
import { exchangeCode, type ProviderTokens } from './oauth2-http';
import { type OAuth2User, type ResolvedProvider, resolveProvider } from './oauth2-presets';

/** One provider as `auth-methods` lists it (PocketBase's providerInfo, legacy `authUrl` included). */
export interface ProviderInfo {
  name: string;
  displayName: string;
  state: string;
  authURL: string;
  authUrl: string;
  codeVerifier: string;
  codeChallenge: string;
  codeChallengeMethod: string;
}

/** The `auth-with-oauth2` body once validated. */
interface OAuth2Form {
  provider: string;
  code: string;
  codeVerifier: string;
  redirectURL: string;
  createData: Record<string, unknown>;
}

interface ExternalAuthRow {
  id: string;
  recordRef: string;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Writes the flow makes on its own authority (marking verified, linking), as PocketBase's `txApp.Save`. */
const SYSTEM_ACCESS: RecordAccess = {
  isSuperuser: true,
  request: { context: 'oauth2', method: 'POST', headers: {}, query: {}, body: {}, auth: null },
};

/**
 * PocketBase's OAuth2 sign-in: the providers `auth-methods` lists (authorization URL with
 * `state` and PKCE), and `auth-with-oauth2`, which exchanges the code, finds the record linked
 * through `_externalAuths` (else the signed-in record, else one with the provider's verified
 * email) or signs a new one up, links it and answers through the shared responder.
 */
@Injectable()
export class OAuth2Service {
  private readonly logger = new Logger(OAuth2Service.name);

  constructor(
    @Inject(AuthRecords) private readonly records: AuthRecords,
    @Inject(AuthResponder) private readonly responder: AuthResponder,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
    @Inject(AuthHooks) private readonly hooks: AuthHooks,
  ) {}

  /** Each configured provider ready for the browser; one that fails to initialise is left out. */
  async providerInfos(collection: AuthCollection): Promise<ProviderInfo[]> {
    const infos: ProviderInfo[] = [];
    for (const config of collection.oauth2.providers) {
      try {
        infos.push(authorizationInfo(resolveProvider(config)));
      } catch (error) {
        this.logger.debug({ err: error, provider: config.name }, 'failed to set up an OAuth2 provider');
      }
    }
    return infos;
  }

  async authenticate(request: FastifyRequest, idOrName: string): Promise<AuthResponse> {
    const collection = this.records.collectionOrThrow(idOrName);
    if (!collection.oauth2.enabled) {
      throw new AuthError('auth_oauth2_disabled');
    }
    const form = readForm(collection, request.body);
    const config = collection.oauth2.providers.find((candidate) => candidate.name === form.provider);
    let provider: ResolvedProvider;
    try {
      if (!config) throw new Error('missing provider config');
      provider = resolveProvider(config);
    } catch (error) {
      throw new AuthError('auth_provider_init_failed', {}, { params: { provider: form.provider }, cause: error });
    }

    let tokens: ProviderTokens;
    try {
      const verifier = provider.pkce && form.codeVerifier !== '' ? form.codeVerifier : null;
      tokens = await exchangeCode(provider, form.code, verifier, form.redirectURL);
    } catch (error) {
      throw new AuthError('auth_oauth2_token_failed', {}, { cause: error });
    }
    let user: OAuth2User;
    try {
      user = await provider.fetchUser(provider, tokens);
    } catch (error) {
      throw new AuthError('auth_oauth2_user_failed', {}, { cause: error });
    }

    const caller = await this.authenticator.of(request);
    const link = await this.findLink(collection, provider.name, user.id);
    let record: RecordRow | null = null;
    if (link) {
      record = await this.records.findById(collection, link.recordRef);
      if (!record) throw notFound();
    } else if (caller?.collection.id === collection.id) {
      // Signed in already: the provider account is linked to the caller.
      record = caller.record;
    } else if (user.email !== '') {
      // Only a verified provider email reaches here (the presets drop the others).
      record = await this.records.findByEmail(collection, user.email);
    }

    const signIn = async (createData: Record<string, unknown>) => {
      const found = { provider: provider.name, user, form: { ...form, createData }, record, link };
      const saved = await this.submit(request, collection, caller, found);
      return this.responder.respond(request, collection, saved, 'oauth2', {
        meta: oauth2Meta(user, tokens, record === null),
      });
    };
    const target = this.hooks.target('onRecordAuthWithOAuth2Request', collection);
    if (!target) return signIn(form.createData);
    // Extensions see the provider's user and the found record; they may change a sign-up's createData.
    let response: AuthResponse | null = null;
    const fields = {
      providerName: provider.name,
      record: record ? hookRecordOf(record) : null,
      oauth2User: {
        ...user,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expiry: tokens.expiry,
      },
      createData: { ...form.createData },
      isNewRecord: record === null,
    };
    await this.hooks.run('onRecordAuthWithOAuth2Request', target, request, fields, async (event) => {
      const createData = event.createData;
      if (typeof createData !== 'object' || createData === null || Array.isArray(createData)) {
        throw new AuthError('auth_load_failed');
      }
      response = await signIn(createData);
    });
    // A handler that skipped next() without refusing leaves no answer: no token, nothing saved.
    if (!response) throw new AuthError('auth_failed');
    return response;
  }

  private async findLink(collection: AuthCollection, provider: string, providerId: string) {
    const { rows } = await this.records.pool.query<ExternalAuthRow>(
      `SELECT id, "recordRef" FROM "_externalAuths" WHERE "collectionRef" = $1 AND provider = $2 AND "providerId" = $3 LIMIT 1`,
      [collection.id, provider, providerId],
    );
    return rows[0] ?? null;
  }

  /**
   * PocketBase's `oauth2Submit`, in one transaction: signs a new record up (or updates the found
   * one's password, email and verified state) and links the provider account when not linked yet.
   */
  private async submit(
    request: FastifyRequest,
    collection: AuthCollection,
    caller: RequestAuth | null,
    found: {
      provider: string;
      user: OAuth2User;
      form: OAuth2Form;
      record: RecordRow | null;
      link: ExternalAuthRow | null;
    },
  ): Promise<RecordRow> {
    const { provider, user, form, record } = found;
    let { link } = found;
    // Fetched before the transaction opens: a slow avatar host must not hold it.
    const avatar = record ? null : await this.avatarOf(collection, user, form.createData);
    const client = await this.records.pool.connect();
    let id: string;
    let newTokenKey = false;
    let committed = false;
    try {
      await client.query('BEGIN');
      if (record) {
        id = record.id;
        const isCaller = caller?.collection.id === collection.id && caller.record.id === record.id;
        if (record.verified !== true) {
          // Pre-hijacking with another OAuth2 account: whoever created the unverified record may
          // have linked their own provider account to it. Its links go; this one is made anew, so
          // an unverified record never carries more than one (PocketBase's fix, #7662).
          await this.records.deleteSystemRecordsOf('_externalAuths', collection, record.id, client);
          link = null;
        }
        newTokenKey = await this.updateFound(client, collection, record, user, isCaller);
      } else {
        id = await this.signUp(client, request, collection, caller, user, form.createData, avatar?.file);
      }
      if (!link) {
        // `providerId` is a required field of `_externalAuths` (PocketBase's save would refuse it).
        if (user.id === '') throw new Error('the OAuth2 user has no id');
        await this.records.createSystemRecord(
          '_externalAuths',
          { collectionRef: collection.id, recordRef: id, provider, providerId: user.id },
          client,
        );
      }
      await client.query('COMMIT');
      committed = true;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      // As PocketBase: the records layer's own answers go out, anything else is a failed sign-in.
      if (error instanceof AuthError || error instanceof ApiError || error instanceof RecordsError) throw error;
      throw new AuthError('auth_failed', {}, { cause: error });
    } finally {
      // The avatar stored with a rolled-back sign-up goes again.
      await this.records.writer.settleFiles(client, committed);
      client.release();
      await avatar?.dispose();
    }
    if (newTokenKey) await this.authenticator.tokenKeyChanged(collection.id, id);
    const saved = await this.records.findById(collection, id);
    if (!saved) throw notFound();
    return saved;
  }

  /** Creates the record as PocketBase's internal create request does: the caller's rights, createRule included. */
  private async signUp(
    client: PoolClient,
    request: FastifyRequest,
    collection: AuthCollection,
    caller: RequestAuth | null,
    user: OAuth2User,
    createData: Record<string, unknown>,
    avatar: UploadedFile | undefined,
  ): Promise<string> {
    if (collection.name === SUPERUSERS_COLLECTION_NAME) {
      throw new AuthError('auth_failed', {}, { cause: new Error('superusers may not sign up with OAuth2') });
    }
    const payload: Record<string, unknown> = { ...createData };
    // A submitted email wins (and stays unverified); otherwise the provider's verified one.
    if (typeof payload.email !== 'string' || payload.email === '') payload.email = user.email;
    if (typeof payload.password !== 'string' || payload.password === '') {
      const password = randomString(30);
      payload.password = password;
      payload.passwordConfirm = password;
    }
    const mapped = collection.oauth2.mappedFields;
    const unset = (name: string) => name !== '' && !Object.hasOwn(payload, name);
    if (unset(mapped.id)) payload[mapped.id] = user.id;
    if (unset(mapped.name)) payload[mapped.name] = user.name;
    if (unset(mapped.username) && (await canAssignUsername(client, collection, mapped.username, user.username))) {
      payload[mapped.username] = user.username;
    }
    if (unset(mapped.avatarURL) && user.avatarURL !== '') {
      const field = collection.fields.find((candidate) => candidate.name === mapped.avatarURL);
      // A file field gets the downloaded avatar (if it came), any other field the URL, as PocketBase.
      if (field?.type === 'file') {
        if (avatar) payload[mapped.avatarURL] = avatar;
      } else if (field) {
        payload[mapped.avatarURL] = user.avatarURL;
      }
    }

    const access: RecordAccess = {
      isSuperuser: isSuperuser(caller),
      request: { ...ruleContextOf(request, caller, payload), context: 'oauth2' },
    };
    const created = await this.createWithAvatar(client, collection, payload, access, mapped.avatarURL, avatar);
    const id = String(created.id);
    const { rows } = await client.query<{ email: string; verified: boolean }>(
      `SELECT email, verified FROM ${quoteIdent(collection.name)} WHERE id = $1`,
      [id],
    );
    // The provider vouched for this address (an empty one included, as in PocketBase).
    if (rows[0] && rows[0].email === user.email && rows[0].verified !== true) {
      await this.records.writer.update(collection, id, { verified: true }, SYSTEM_ACCESS, client);
    }
    return id;
  }

  /**
   * Creates the signed-up record; when storing its avatar fails (storage unreachable, a process
   * without write access to local storage), the record is created without it instead, since the
   * avatar is a nicety and the sign-in is not. Validation and rule failures still fail the sign-up.
   */
  private async createWithAvatar(
    client: PoolClient,
    collection: AuthCollection,
    payload: Record<string, unknown>,
    access: RecordAccess,
    field: string,
    avatar: UploadedFile | undefined,
  ): Promise<Record<string, unknown>> {
    if (!avatar || payload[field] !== avatar) return this.records.writer.create(collection, payload, access, client);
    await client.query('SAVEPOINT oauth2_avatar');
    try {
      const created = await this.records.writer.create(collection, payload, access, client);
      await client.query('RELEASE SAVEPOINT oauth2_avatar');
      return created;
    } catch (error) {
      if (error instanceof AuthError || error instanceof ApiError || error instanceof RecordsError) throw error;
      await client.query('ROLLBACK TO SAVEPOINT oauth2_avatar');
      this.logger.warn({ msg: 'Failed to store the OAuth2 avatar, signing up without it', err: error });
      const { [field]: _avatar, ...rest } = payload;
      return this.records.writer.create(collection, rest, access, client);
    }
  }

  /**
   * The provider's avatar for a sign-up whose mapped avatar field is a file field (and not in the
   * submitted data), downloaded as PocketBase does: loopback and private addresses refused
   * (unless `HB_OAUTH2_AVATAR_ALLOW_PRIVATE`), 10 s at most, and here at most the field's
   * `maxSize`. A failure only leaves the field empty (logged), as PocketBase.
   */
  private async avatarOf(collection: AuthCollection, user: OAuth2User, createData: Record<string, unknown>) {
    const name = collection.oauth2.mappedFields.avatarURL;
    if (name === '' || user.avatarURL === '' || Object.hasOwn(createData, name)) return null;
    const field = collection.fields.find((candidate) => candidate.name === name);
    if (field?.type !== 'file') return null;
    try {
      return await downloadFile(user.avatarURL, {
        maxSize: fileMaxSize(field),
        allowPrivate: this.config.oauth2AvatarAllowPrivate,
      });
    } catch (error) {
      this.logger.warn({ msg: 'Failed to retrieve OAuth2 avatar', url: user.avatarURL, err: error });
      return null;
    }
  }

  /**
   * An existing record signing in: someone else may have registered the address before its owner
   * (unverified), so its password is replaced; an empty email takes the provider's, and a matching
   * one becomes verified. Returns whether the tokenKey changed.
   */
  private async updateFound(
    client: PoolClient,
    collection: AuthCollection,
    record: RecordRow,
    user: OAuth2User,
    isCaller: boolean,
  ): Promise<boolean> {
    const values: Record<string, unknown> = {};
    let email = typeof record.email === 'string' ? record.email : '';
    if (!isCaller && record.verified !== true) {
      const password = randomString(30);
      values.password = password;
      values.passwordConfirm = password;
    }
    if (email === '' && user.email !== '') {
      values.email = user.email;
      email = user.email;
    }
    if (record.verified !== true && (email === '' || email === user.email)) values.verified = true;
    if (Object.keys(values).length === 0) return false;
    await this.records.writer.update(collection, record.id, values, SYSTEM_ACCESS, client);
    return 'password' in values || 'email' in values;
  }
}

/** The provider's authorization URL with a fresh state (and PKCE pair), ending in an empty `redirect_uri=`. */
function authorizationInfo(provider: ResolvedProvider): ProviderInfo {
  const state = randomString(30);
  const client = new OAuth2Client(provider.clientId, null, null);
  let url: URL;
  let codeVerifier = '';
  let codeChallenge = '';
  let codeChallengeMethod = '';
  if (provider.pkce) {
    codeVerifier = randomString(43);
    url = client.createAuthorizationURLWithPKCE(
      provider.authURL,
      state,
      CodeChallengeMethod.S256,
      codeVerifier,
      provider.scopes,
    );
    codeChallenge = url.searchParams.get('code_challenge') ?? '';
    codeChallengeMethod = 'S256';
  } else {
    url = client.createAuthorizationURL(provider.authURL, state, provider.scopes);
  }
  for (const [name, value] of Object.entries(provider.authParams)) url.searchParams.set(name, value);
  // The client appends its own redirect URL, as with PocketBase.
  const authURL = `${url.toString()}&redirect_uri=`;
  return {
    name: provider.name,
    displayName: provider.displayName || provider.name,
    state,
    authURL,
    authUrl: authURL,
    codeVerifier,
    codeChallenge,
    codeChallengeMethod,
  };
}

/** Reads and validates the body as PocketBase's form does (`redirectUrl` is the legacy name). */
function readForm(collection: AuthCollection, raw: unknown): OAuth2Form {
  const body = bodyObject(raw);
  const textOf = (key: string): string => {
    const value = body[key];
    if (value === undefined || value === null) return '';
    // PocketBase's binder refuses a wrongly typed value before any validation.
    if (typeof value !== 'string') throw new AuthError('auth_load_failed');
    return value;
  };
  const createData = body.createData ?? {};
  if (!isObject(createData)) throw new AuthError('auth_load_failed');
  const form: OAuth2Form = {
    provider: textOf('provider'),
    code: textOf('code'),
    codeVerifier: textOf('codeVerifier'),
    redirectURL: textOf('redirectURL') || textOf('redirectUrl'),
    createData,
  };

  // Keys in Go's (sorted) order.
  const errors: Record<string, FieldError> = {};
  if (form.code === '') errors.code = REQUIRED;
  if (form.provider === '') errors.provider = REQUIRED;
  else if (form.provider.length > 100) {
    errors.provider = {
      code: 'validation_length_too_long',
      message: 'The length must be no more than 100.',
      params: { max: 100, min: 0 },
    };
  } else if (!collection.oauth2.providers.some((provider) => provider.name === form.provider)) {
    errors.provider = {
      code: 'validation_invalid_provider',
      message: `Provider with name ${form.provider} is missing or is not enabled.`,
      params: { name: form.provider },
    };
  }
  if (form.redirectURL === '') errors.redirectURL = REQUIRED;
  if (Object.keys(errors).length > 0) throw new AuthError('auth_load_failed', errors);
  return form;
}

/**
 * Whether the provider's username may fill the mapped field (PocketBase's backward-compatible
 * check): a text field whose rules accept it, and not taken when the field has a unique index.
 */
async function canAssignUsername(
  client: PoolClient,
  collection: AuthCollection,
  fieldName: string,
  username: string,
): Promise<boolean> {
  const field = collection.fields.find((candidate) => candidate.name === fieldName);
  if (field?.type !== 'text') return false;
  const taken = identityCondition(collection, fieldName);
  if (taken) {
    const { rowCount } = await client.query(`SELECT 1 FROM ${quoteIdent(collection.name)} WHERE ${taken} LIMIT 1`, [
      username,
    ]);
    if ((rowCount ?? 0) > 0) return false;
  }
  const definition = definitionOf(field);
  return definition.validateValue(field, definition.prepareValue(field, username), { isNew: true }) === null;
}

/**
 * The response's `meta`: PocketBase marshals a Go map, so the keys (rawUser's too) come in byte
 * order and the legacy `avatarUrl` is there beside `avatarURL`.
 */
function oauth2Meta(user: OAuth2User, tokens: ProviderTokens, isNew: boolean): Record<string, unknown> {
  return {
    accessToken: tokens.accessToken,
    avatarURL: user.avatarURL,
    avatarUrl: user.avatarURL,
    email: user.email,
    expiry: tokens.expiry,
    id: user.id,
    isNew,
    name: user.name,
    rawUser: sortedKeys(user.rawUser),
    refreshToken: tokens.refreshToken,
    username: user.username,
  };
}

function sortedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortedKeys);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((key) => [key, sortedKeys(value[key])]),
  );
}
