import type { QueryResult, QueryResultRow } from 'pg';

/** A pool or a client inside a transaction: whatever runs the records' queries. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
}
