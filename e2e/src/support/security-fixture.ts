import { createHmac } from 'node:crypto';
import { connect } from 'node:net';
import pg from 'pg';
import type PocketBase from 'pocketbase';
import { expect } from 'vitest';
import { type AuthFixture, type ShapeName, startAuthFixture } from './auth-fixture';

/** A user of the fixture: its record id, credentials and a client signed in as it. */
export interface FixtureUser {
  id: string;
  email: string;
  password: string;
  pb: PocketBase;
}

/**
 * The adversarial suite's world, on one shape: users A and B (emails hidden) and C (email
 * public), who may list each other; `notes` guarded by owner rules, with a hidden field and a
 * create/update rule on `@request.body`; `locked`, whose rules are all null; `members`, a second
 * auth collection; batch enabled.
 */
export interface SecurityFixture extends AuthFixture {
  a: FixtureUser;
  b: FixtureUser;
  c: FixtureUser;
  /** Notes by owner: one private and one public note each for A and B, with `body` and `secret`. */
  notes: { aPrivate: string; aPublic: string; bPrivate: string; bPublic: string };
  /** Raw HTTP against the shape's public entry: the answer's status, headers and body (JSON when it parses). */
  api(path: string, init?: ApiInit): Promise<ApiAnswer>;
  /** Reads one value straight from the database (the attacker's "leaked secret" in token tests). */
  sql<T>(text: string, values?: unknown[]): Promise<T[]>;
  signIn(email: string, password: string, collection?: string): Promise<PocketBase>;
}

export interface ApiInit {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  text: string;
  json: unknown;
}

// A's and B's private notes carry these words in `body` and `secret`: a leak shows up as a match.
export const SECRET_WORDS = { a: 'aardvark', b: 'bumblebee' };

export async function startSecurityFixture(shape: ShapeName): Promise<SecurityFixture> {
  const base = await startAuthFixture(shape);
  try {
    const { root, client } = base;
    const signIn = async (email: string, password: string, collection = 'users') => {
      const pb = client();
      await pb.collection(collection).authWithPassword(email, password);
      return pb;
    };

    const users = await root.collections.getOne('users');
    await root.collections.update('users', {
      listRule: "@request.auth.id != ''",
      viewRule: "@request.auth.id != ''",
      fields: [...users.fields, { name: 'secretNote', type: 'text', hidden: true }],
    });
    const makeUser = async (name: string, emailVisibility: boolean): Promise<FixtureUser> => {
      const email = `${name}@example.com`;
      const password = `${name}-password-1`;
      const record = await root.collection('users').create({
        email,
        password,
        passwordConfirm: password,
        emailVisibility,
        verified: true,
        name,
        secretNote: `${name} hidden note`,
      });
      return { id: record.id, email, password, pb: await signIn(email, password) };
    };
    const a = await makeUser('alice', false);
    const b = await makeUser('bob', false);
    const c = await makeUser('carol', true);

    await root.collections.create({
      name: 'notes',
      listRule: 'owner = @request.auth.id || public = true',
      viewRule: 'owner = @request.auth.id || public = true',
      createRule: "@request.auth.id != '' && owner = @request.auth.id && @request.body.n != 7",
      // the owner may edit a note but never hand it over, whatever the body's form
      updateRule: 'owner = @request.auth.id && @request.body.owner:isset = false',
      deleteRule: 'owner = @request.auth.id',
      fields: [
        { name: 'title', type: 'text' },
        { name: 'body', type: 'text' },
        { name: 'n', type: 'number' },
        { name: 'public', type: 'bool' },
        { name: 'owner', type: 'relation', collectionId: users.id, maxSelect: 1 },
        { name: 'secret', type: 'text', hidden: true },
        { name: 'created', type: 'autodate', onCreate: true },
      ],
    });
    const note = async (owner: FixtureUser, word: string, isPublic: boolean) =>
      (
        await root.collection('notes').create({
          title: `${isPublic ? 'public' : 'private'} note of ${owner.email}`,
          body: isPublic ? 'nothing to see' : `private ${word} body`,
          n: isPublic ? 1 : 2,
          public: isPublic,
          owner: owner.id,
          secret: `${word} secret`,
        })
      ).id;
    const notes = {
      aPrivate: await note(a, SECRET_WORDS.a, false),
      aPublic: await note(a, SECRET_WORDS.a, true),
      bPrivate: await note(b, SECRET_WORDS.b, false),
      bPublic: await note(b, SECRET_WORDS.b, true),
    };

    await root.collections.create({ name: 'locked', fields: [{ name: 'title', type: 'text' }] });
    await root.collection('locked').create({ title: 'only for superusers' });
    await root.collections.create({
      name: 'members',
      type: 'auth',
      listRule: '',
      viewRule: '',
      passwordAuth: { enabled: true, identityFields: ['email'] },
    });
    await root.settings.update({ batch: { enabled: true, maxRequests: 20, timeout: 10 } });

    const baseUrl = base.running.baseUrl;
    const api = async (path: string, init: ApiInit = {}): Promise<ApiAnswer> => {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = init.token;
      let body: string | undefined;
      if (init.body !== undefined) {
        body = typeof init.body === 'string' ? init.body : JSON.stringify(init.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${baseUrl}${path}`, { method: init.method ?? 'GET', headers, body });
      const text = await response.text();
      return { status: response.status, headers: response.headers, text, json: parseJson(text) };
    };
    const sql = async <T>(text: string, values: unknown[] = []): Promise<T[]> => {
      const connection = new pg.Client({ connectionString: base.database.url });
      await connection.connect();
      try {
        return (await connection.query(text, values)).rows as T[];
      } finally {
        await connection.end();
      }
    };
    return { ...base, a, b, c, notes, api, sql, signIn };
  } catch (error) {
    await base.stop();
    throw error;
  }
}

export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * Sends `head` (request line and headers, CRLF-separated, without the blank line) as is over a
 * socket, for what fetch would refuse or rewrite: malformed paths, oversize headers. Resolves
 * with the status and the body after the headers.
 */
export function rawRequest(baseUrl: string, head: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => (received += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(received)?.[1] ?? 0);
      const split = received.indexOf('\r\n\r\n');
      let body = split < 0 ? '' : received.slice(split + 4);
      if (/\r\ntransfer-encoding: chunked/i.test(received.slice(0, split))) body = unchunk(body);
      resolve({ status, body });
    });
    socket.write(`${head}\r\nHost: ${hostname}:${port}\r\nConnection: close\r\n\r\n`, 'latin1');
  });
}

function unchunk(body: string): string {
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 4 + size);
  }
}

const base64url = (value: string | Buffer) => Buffer.from(value).toString('base64url');

/** A JWT with any header, signed with HMAC-SHA`bits` over `key` (or unsigned when `bits` is 0). */
export function forgeToken(
  header: Record<string, unknown>,
  claims: Record<string, unknown>,
  key: string,
  bits: 0 | 256 | 384 | 512 = 256,
): string {
  const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
  if (bits === 0) return `${signingInput}.`;
  return `${signingInput}.${createHmac(`sha${bits}`, key).update(signingInput).digest('base64url')}`;
}

/** The HMAC key Hivebase and PocketBase sign a record's tokens with: its tokenKey, then the collection's secret. */
export async function signingKeyOf(
  fixture: Pick<SecurityFixture, 'sql'>,
  collection: string,
  recordId: string,
  kind: 'authToken' | 'passwordResetToken' | 'verificationToken' = 'authToken',
): Promise<{ key: string; collectionId: string }> {
  const [definition] = await fixture.sql<{ id: string; secret: string }>(
    `SELECT id, data -> $2::text ->> 'secret' AS secret FROM "_collections" WHERE name = $1`,
    [collection, kind],
  );
  const [record] = await fixture.sql<{ tokenKey: string }>(
    `SELECT "tokenKey" FROM "${collection.replace(/"/g, '')}" WHERE id = $1`,
    [recordId],
  );
  if (!definition?.secret || !record) throw new Error(`no ${kind} secret or record ${recordId} in ${collection}`);
  return { key: record.tokenKey + definition.secret, collectionId: definition.id };
}

/** Asserts an answer is PocketBase's error shape `{status, message, data}` with `status`. */
export function expectApiError(answer: { status: number; json?: unknown; body?: string }, status: number): void {
  const json = answer.json ?? parseJson(answer.body ?? '');
  expect({ status: answer.status, json }).toEqual({
    status,
    json: { status, message: expect.any(String), data: expect.any(Object) },
  });
}
