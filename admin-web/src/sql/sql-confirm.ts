// PocketBase's dashboard asks before a query naming one of these (anywhere, as a word followed by
// a space); Postgres' own writes and privilege changes are added.
const CONFIRM_WORDS = [
  'ALTER',
  'REPLACE',
  'INSERT',
  'CREATE',
  'UPDATE',
  'DELETE',
  'DROP',
  'DETACH',
  'PRAGMA',
  'TRUNCATE',
  'MERGE',
  'GRANT',
  'REVOKE',
];

/** Whether the console asks "are you sure" before running `query`: it looks like it changes things. */
export function needsConfirmation(query: string): boolean {
  if (query.trim() === '') return false;
  const words = `${query.replace(/[\s;]/g, ' ').toUpperCase()} `;
  return CONFIRM_WORDS.some((word) => words.includes(`${word} `));
}
