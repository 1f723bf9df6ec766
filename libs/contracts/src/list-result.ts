/** A page of a list endpoint. With `skipTotal` both totals are -1. */
export interface ListResult<T> {
  items: T[];
  page: number;
  perPage: number;
  totalItems: number;
  totalPages: number;
}
