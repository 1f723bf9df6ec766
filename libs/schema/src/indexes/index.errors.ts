export const INDEX_ERROR_CODES = [
  /** The statement is not in the supported CREATE INDEX grammar. */
  'invalid_syntax',
  /** A column the collection does not have. */
  'unknown_column',
  /** Valid grammar, but not translatable for this column (type mismatch, bad literal, name too long). */
  'unsupported',
] as const;
export type IndexErrorCode = (typeof INDEX_ERROR_CODES)[number];

/**
 * A PocketBase index statement that cannot be parsed or translated. `message` is meant for the
 * user (it ends up in the `indexes.<i>` validation error); `position` is the character offset in
 * the statement when the problem is at one place.
 */
export class IndexParseError extends Error {
  override readonly name = 'IndexParseError';

  constructor(
    readonly code: IndexErrorCode,
    message: string,
    readonly position?: number,
  ) {
    super(message);
  }
}
