import { comparableBcryptHash } from '@hivebase/schema';
import * as bcrypt from 'bcrypt';

/** bcrypt cost when a password field leaves it at 0 (PocketBase's default). */
export const DEFAULT_BCRYPT_COST = 10;

/** A `$2b$` hash at `cost`; native bcrypt runs on libuv's thread pool, off the event loop. */
export const hashPassword = (password: string, cost = DEFAULT_BCRYPT_COST) =>
  bcrypt.hash(password, cost || DEFAULT_BCRYPT_COST);

// Compared against when no record matches, so unknown identities take as long as wrong passwords.
// Made at the first sign-in rather than at load: a synchronous bcrypt hash held up every
// process's start by a tenth of a second or more.
let decoyHash: Promise<string> | undefined;
const decoy = () => (decoyHash ??= bcrypt.hash('hivebase-decoy-password', DEFAULT_BCRYPT_COST));

/** Constant-work password check: a missing hash still costs one bcrypt comparison. */
export async function passwordMatches(password: string, hash: unknown): Promise<boolean> {
  const usable = typeof hash === 'string' && hash.startsWith('$2');
  const matches = await bcrypt.compare(password, usable ? comparableBcryptHash(hash) : await decoy());
  return usable && matches;
}
