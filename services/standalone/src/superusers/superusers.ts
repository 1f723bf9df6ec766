import { isUniqueViolation } from '@hivebase/contracts';
import type { RecordAccess } from '@hivebase/records';
import { RecordsError } from '@hivebase/records';
import { ensureSystemCollections, hashPassword, loadSchema, lookupOf, outboxRecordWriter } from '@hivebase/runtime';
import {
  type AuthCollection,
  type Collection,
  emailFieldDefinition,
  makeField,
  newRecordId,
  nowDateTime,
  randomString,
  SUPERUSERS_COLLECTION_NAME,
} from '@hivebase/schema';
import type { Pool } from 'pg';

/** A `hivebase superuser` command refused its input; the CLI prints the message alone and exits 1. */
export class SuperuserInputError extends Error {}

// The CLI acts as a superuser would through the API, so deletes run the same checks and events.
const CLI_ACCESS: RecordAccess = {
  isSuperuser: true,
  request: { context: 'default', method: 'DELETE', headers: {}, query: {}, body: {}, auth: null },
};

interface Superusers {
  collection: AuthCollection;
  /** Every collection, for the relations a delete has to release. */
  all: readonly Collection[];
}

/** The `_superusers` collection, created first on a fresh database (the CLI may run before `serve`). */
async function loadSuperusers(pool: Pool): Promise<Superusers> {
  await ensureSystemCollections(pool);
  const all = (await loadSchema(pool)).collections;
  const collection = all.find(
    (candidate): candidate is AuthCollection =>
      candidate.name === SUPERUSERS_COLLECTION_NAME && candidate.type === 'auth',
  );
  if (!collection) throw new Error('the _superusers collection is missing');
  return { collection, all };
}

// The email field type's own format check (PocketBase's), not a looser pattern of the CLI's.
const ANY_EMAIL = makeField('email', 'email');

function assertEmail(email: string): void {
  if (email === '' || emailFieldDefinition.validateValue(ANY_EMAIL, email, { isNew: true }))
    throw new SuperuserInputError(`"${email}" is not a valid email address`);
}

/** Checks the password against the collection's password field, then hashes it with its cost. */
async function hashFor(collection: AuthCollection, password: string): Promise<string> {
  const field = collection.fields.find((candidate) => candidate.name === 'password');
  const min = field?.type === 'password' ? field.min || 8 : 8;
  if (password.length < min) throw new SuperuserInputError(`the password must be at least ${min} characters`);
  return hashPassword(password, field?.type === 'password' ? field.cost : 0);
}

// Emails match exactly, as the email's unique index and sign-in compare them (PocketBase's FindAuthRecordByEmail).
async function findId(pool: Pool, email: string): Promise<string | undefined> {
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM "_superusers" WHERE email = $1', [email]);
  return rows[0]?.id;
}

/** Sets the password and a new tokenKey (signing out old sessions); false when no such superuser. */
async function setPassword(pool: Pool, email: string, hash: string): Promise<boolean> {
  const { rowCount } = await pool.query(
    'UPDATE "_superusers" SET password = $2, "tokenKey" = $3, updated = $4 WHERE email = $1',
    [email, hash, randomString(50), nowDateTime()],
  );
  return Boolean(rowCount);
}

/** Inserts the superuser; false when the email is taken (the unique index decides under races). */
async function insert(pool: Pool, email: string, hash: string): Promise<boolean> {
  const now = nowDateTime();
  try {
    await pool.query(
      `INSERT INTO "_superusers" (id, email, password, "tokenKey", "emailVisibility", verified, created, updated)
       VALUES ($1, $2, $3, $4, false, true, $5, $5)`,
      [newRecordId(), email, hash, randomString(50), now],
    );
    return true;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

/** `hivebase superuser create`: a new superuser; refuses an email that already has one. */
export async function createSuperuser(pool: Pool, email: string, password: string): Promise<void> {
  assertEmail(email);
  const hash = await hashFor((await loadSuperusers(pool)).collection, password);
  const exists = Boolean(await findId(pool, email)) || !(await insert(pool, email, hash));
  if (exists) throw new SuperuserInputError(`superuser ${email} already exists`);
}

/** `hivebase superuser update`: a new password and tokenKey for an existing superuser. */
export async function updateSuperuser(pool: Pool, email: string, password: string): Promise<void> {
  assertEmail(email);
  const hash = await hashFor((await loadSuperusers(pool)).collection, password);
  if (!(await setPassword(pool, email, hash))) throw new SuperuserInputError(`superuser ${email} does not exist`);
}

/**
 * `hivebase superuser upsert`: creates the superuser with this email, or sets its password
 * (a new tokenKey signs out its old sessions). Returns whether it was created.
 */
export async function upsertSuperuser(pool: Pool, email: string, password: string): Promise<'created' | 'updated'> {
  assertEmail(email);
  const hash = await hashFor((await loadSuperusers(pool)).collection, password);
  if (await setPassword(pool, email, hash)) return 'updated';
  // Not there yet: insert. If a concurrent upsert inserted it first (unique index), update that row.
  if (await insert(pool, email, hash)) return 'created';
  if (await setPassword(pool, email, hash)) return 'updated';
  throw new Error(`superuser ${email} could be neither created nor updated`);
}

/**
 * `hivebase superuser delete`: removes the superuser through the records engine (relations
 * released, `record.changed` in the outbox). Refuses the last one, as PocketBase does; an
 * unknown email is `'missing'`, not an error, as in PocketBase.
 */
export async function deleteSuperuser(pool: Pool, email: string): Promise<'deleted' | 'missing'> {
  assertEmail(email);
  const { collection, all } = await loadSuperusers(pool);
  const id = await findId(pool, email);
  if (!id) return 'missing';
  // The writer re-checks under row locks; asking first gives the CLI its own wording.
  if ((await countSuperusers(pool)) <= 1) throw new SuperuserInputError('the last superuser cannot be deleted');
  try {
    await outboxRecordWriter(pool, lookupOf(all)).delete(collection, id, CLI_ACCESS);
  } catch (error) {
    if (error instanceof RecordsError) throw new SuperuserInputError(`cannot delete ${email}: ${error.message}`);
    throw error;
  }
  return 'deleted';
}

/** How many superusers exist (`serve` prints how to create the first one when there are none). */
export async function countSuperusers(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ count: string }>('SELECT count(*) AS count FROM "_superusers"');
  return Number(rows[0]?.count ?? 0);
}
