import { describe, expect, it } from 'vitest';
import { hashPassword, passwordMatches } from './passwords';

describe('passwords', () => {
  it('hashes as $2b$ at the given cost, and at 10 when the field leaves it at 0', async () => {
    expect(await hashPassword('secret-1', 4)).toMatch(/^\$2b\$04\$.{53}$/);
    expect(await hashPassword('secret-1', 0)).toMatch(/^\$2b\$10\$/);
    expect(await hashPassword('secret-1')).toMatch(/^\$2b\$10\$/);
  });

  it('matches only the password a hash was made from', async () => {
    const hash = await hashPassword('secret-1', 4);
    expect(await passwordMatches('secret-1', hash)).toBe(true);
    expect(await passwordMatches('secret-2', hash)).toBe(false);
    expect(await passwordMatches('', hash)).toBe(false);
  });

  it('accepts the $2a$ (Go, PocketBase) and $2y$ (PHP) spellings of the same hash', async () => {
    const body = (await hashPassword('secret-1', 4)).slice('$2b$'.length);
    for (const prefix of ['$2a$', '$2b$', '$2y$']) {
      expect(await passwordMatches('secret-1', `${prefix}${body}`)).toBe(true);
      expect(await passwordMatches('secret-2', `${prefix}${body}`)).toBe(false);
    }
  });

  it('says no, after a comparison against the decoy, when there is no usable hash', async () => {
    // The decoy's own password must not sign in to a record without a password.
    for (const stored of [undefined, null, '', 'plain-text', 42, '$2b$10$short']) {
      expect(await passwordMatches('hivebase-decoy-password', stored)).toBe(false);
    }
  });
});
