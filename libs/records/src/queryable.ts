import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';

/** A pool or a client inside a transaction: whatever runs the records' queries. */
export interface Queryable {
  query<Row extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<Row>>;
  query<Row extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<Row>>;
  /** A client's transaction state ('I' idle, 'T' in a transaction, 'E' failed one); a pool has none. */
  getTransactionStatus?(): string | null;
}
