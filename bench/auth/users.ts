import pg from 'pg';
import PocketBase from 'pocketbase';
import { insertUsers, seededUserEmail, USERS } from '../records/seed';
import { bcryptCostOf, type PasswordSample } from './bcrypt-bound';

/** Every benchmark user's password. */
export const PASSWORD = 'bench-user-password';
const FIRST_EMAIL = 'bench-first@example.com';

/** The users to sign in as, and the hash the app stored for their password. */
export interface BenchUsers {
  emails: string[];
  sample: PasswordSample;
  /** The bcrypt cost of that hash, read from the hash itself. */
  cost: number;
}

/**
 * One real sign-up through the SDK (the app hashes the password at the password field's cost,
 * PocketBase's default 10), then `USERS - 1` more in SQL, sharing that stored hash: each
 * sign-in still runs one full bcrypt comparison at the app's cost.
 */
export async function createUsers(baseUrl: string, databaseUrl: string): Promise<BenchUsers> {
  await new PocketBase(baseUrl).collection('users').create({
    email: FIRST_EMAIL,
    password: PASSWORD,
    passwordConfirm: PASSWORD,
  });
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ password: string }>('SELECT password FROM users WHERE email = $1', [
      FIRST_EMAIL,
    ]);
    const hash = rows[0]?.password;
    if (!hash) throw new Error(`the signed-up user ${FIRST_EMAIL} has no stored password`);
    await insertUsers(client, USERS - 1, hash);
    await client.query('ANALYZE users');
    const emails = [FIRST_EMAIL, ...Array.from({ length: USERS - 1 }, (_, i) => seededUserEmail(i + 1))];
    return { emails, sample: { password: PASSWORD, hash }, cost: bcryptCostOf(hash) };
  } finally {
    await client.end();
  }
}

/**
 * Sign-in origins remembered so far (`_authOrigins`), and over how many users. One per user
 * means every sign-in came from a known or first origin, so no new-login alert mail went out.
 */
export async function authOrigins(databaseUrl: string): Promise<{ origins: number; users: number }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ origins: number; users: number }>(
      'SELECT count(*)::int AS origins, count(DISTINCT "recordRef")::int AS users FROM "_authOrigins"',
    );
    return rows[0] ?? { origins: 0, users: 0 };
  } finally {
    await client.end();
  }
}
