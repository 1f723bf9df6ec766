import type { HttpRequest } from '../records/measure';

const USERS_API = '/api/collections/users';
/** Tokens kept from sign-ins for the refresh scenario; more add nothing. */
const MAX_TOKENS = 1_000;

/**
 * The users to sign in as, in turn, shared by every run so that consecutive sign-ins are different
 * users (and a run on the next shape continues with users not signed in yet).
 */
export class UserRotation {
  private next = 0;

  constructor(private readonly emails: string[]) {}

  nextEmail(): string {
    const email = this.emails[this.next % this.emails.length] as string;
    this.next += 1;
    return email;
  }
}

/**
 * `auth-with-password`, each request as the next user of `users`, keeping the tokens it returns
 * in `tokens`. Every request has the right password, so none counts towards the failed-attempt
 * limits; all come from one IP with one user agent (none), so no new-login alert mail is sent.
 */
export function passwordSignIn(users: UserRotation, password: string, tokens: string[]): HttpRequest[] {
  return [
    {
      method: 'POST',
      path: `${USERS_API}/auth-with-password`,
      setupRequest: (request) => ({
        ...request,
        body: JSON.stringify({ identity: users.nextEmail(), password }),
      }),
      onResponse: (status, body) => {
        if (status !== 200 || tokens.length >= MAX_TOKENS) return;
        const token = (JSON.parse(body) as { token?: unknown }).token;
        if (typeof token === 'string') tokens.push(token);
      },
    },
  ];
}

/** `auth-refresh`, each request with the next of `tokens` (valid ones, from real sign-ins). */
export function tokenRefresh(tokens: string[]): HttpRequest[] {
  if (tokens.length === 0) {
    throw new Error('no tokens to refresh: no sign-in completed (is BENCH_SECONDS shorter than one sign-in takes?)');
  }
  let next = 0;
  return [
    {
      method: 'POST',
      path: `${USERS_API}/auth-refresh`,
      // Fastify refuses an empty body sent as JSON.
      body: '{}',
      setupRequest: (request) => ({
        ...request,
        headers: { ...request.headers, authorization: tokens[next++ % tokens.length] as string },
      }),
    },
  ];
}
