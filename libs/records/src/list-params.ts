import { RecordsError } from './records.errors';

/** The list endpoint's query parameters, as the query parser hands them over (first value per key). */
export interface ListParams {
  page?: string;
  perPage?: string;
  sort?: string;
  filter?: string;
  skipTotal?: string;
  expand?: string;
}

export const DEFAULT_PER_PAGE = 30;
export const MAX_PER_PAGE = 1000;

/** A page far beyond any table: answered empty without asking Postgres for an out-of-range OFFSET. */
const MAX_OFFSET = 2n ** 62n;

/** The validated paging and search parameters of one list request. */
export interface ListQuery {
  page: number;
  perPage: number;
  /** Rows to skip; null when the page lies beyond any possible table (then no rows). */
  offset: bigint | null;
  skipTotal: boolean;
  filter: string;
  sort: string;
}

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const TRUE_WORDS = new Set(['1', 't', 'T', 'TRUE', 'true', 'True']);
const FALSE_WORDS = new Set(['0', 'f', 'F', 'FALSE', 'false', 'False']);

/** PocketBase answers an unreadable page, perPage or skipTotal with its generic 400. */
const unreadable = () => new RecordsError('records_bad_params');

/** Go's `strconv.Atoi`: an optional sign and decimal digits within int64, nothing else. */
function goInt(raw: string): bigint {
  if (!/^[+-]?\d+$/.test(raw)) throw unreadable();
  const value = BigInt(raw);
  if (value < INT64.min || value > INT64.max) throw unreadable();
  return value;
}

/** Go's `strconv.ParseBool`. */
function goBool(raw: string): boolean {
  if (TRUE_WORDS.has(raw)) return true;
  if (FALSE_WORDS.has(raw)) return false;
  throw unreadable();
}

/**
 * Reads a list request's parameters as PocketBase's search provider does: empty ones are unset;
 * page ≤ 0 is 1; perPage ≤ 0 is 30 and above 1000 is 1000; text that is not a Go integer or
 * boolean is a 400.
 */
export function parseListParams(params: ListParams): ListQuery {
  const text = (value: unknown) => (typeof value === 'string' ? value : '');
  const rawPage = text(params.page);
  const rawPerPage = text(params.perPage);
  const rawSkipTotal = text(params.skipTotal);
  const page = rawPage === '' ? 1n : goInt(rawPage);
  const perPage = rawPerPage === '' ? 0n : goInt(rawPerPage);
  const skipTotal = rawSkipTotal === '' ? false : goBool(rawSkipTotal);
  const normalizedPage = page <= 0n ? 1n : page;
  const normalizedPerPage =
    perPage <= 0n ? BigInt(DEFAULT_PER_PAGE) : perPage > MAX_PER_PAGE ? BigInt(MAX_PER_PAGE) : perPage;
  const offset = (normalizedPage - 1n) * normalizedPerPage;
  return {
    // A page beyond Number's safe range is reported as the largest safe one; it is empty either way.
    page: normalizedPage > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(normalizedPage),
    perPage: Number(normalizedPerPage),
    offset: offset > MAX_OFFSET ? null : offset,
    skipTotal,
    filter: text(params.filter).trim(),
    sort: text(params.sort).trim(),
  };
}
