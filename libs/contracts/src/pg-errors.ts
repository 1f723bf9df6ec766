/** Postgres's SQLSTATE for a row a unique index already holds. */
export const UNIQUE_VIOLATION = '23505';

/** Whether `error` is Postgres refusing a row because a unique index already holds its value. */
export const isUniqueViolation = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === UNIQUE_VIOLATION;
