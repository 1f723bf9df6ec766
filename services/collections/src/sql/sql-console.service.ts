import { APP_CONFIG, type BaseConfig, PG_POOL } from '@hivebase/platform';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import pg, { type DatabaseError, type Pool, type PoolClient } from 'pg';
import { CollectionsError } from '../collections.errors';
import { LastResultQuery, type QueryProtocol, type ResultColumn } from './last-result.query';

/** PocketBase's cap on the rows `/api/sql` returns. */
export const SQL_MAX_ROWS = 1000;

/** How many console queries may run at once (each holds a Postgres connection of its own). */
const CONSOLE_CONNECTIONS = 3;

/** `POST /api/sql`'s answer (PocketBase's `runSQLResult`, the SDK's `SQLResult`). */
export interface SqlResult {
  execTime: number;
  affectedRows: number;
  columns: SqlResultColumn[];
  rows: (string | null)[][];
}

export interface SqlResultColumn {
  name: string;
  /** Postgres' name of the column's type (`integer`, `text`, `character varying(100)`…). */
  type: string;
  /** False only for a column read straight from a table column declared NOT NULL. */
  nullable: boolean;
}

// PocketBase's loose check for queries that change data, plus Postgres' MERGE and TRUNCATE: run
// in a transaction and answer the count of changed rows instead of rows.
const WRITE_PREFIXES = [
  'INSERT',
  'CREATE',
  'UPDATE',
  'DELETE',
  'DROP',
  'DETACH',
  'ALTER',
  'REPLACE',
  'MERGE',
  'TRUNCATE',
];

/** Whether PocketBase would run `query` (trimmed) as a write: it starts with a write verb. */
export function isPossibleWriteQuery(query: string): boolean {
  const upper = query.toUpperCase();
  return !upper.startsWith('SELECT') && WRITE_PREFIXES.some((prefix) => upper.startsWith(prefix));
}

const failed = (reason: string, cause?: unknown) =>
  new CollectionsError('collections_sql_failed', {}, { params: { reason }, cause });

/** Postgres' error as psql prints it: the message, then its detail and hint lines. */
function rawMessage(error: DatabaseError): string {
  return [
    error.message,
    error.detail ? `DETAIL: ${error.detail}` : '',
    error.hint ? `HINT: ${error.hint}` : '',
    error.where ? `CONTEXT: ${error.where}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/**
 * The SQL console (`POST /api/sql`): runs a superuser's raw SQL as PocketBase's `executeQuery`
 * does. A write (see {@link isPossibleWriteQuery}) runs in a transaction and answers the changed
 * rows; anything else answers the last statement's columns and first 1000 rows, values as
 * Postgres' text output. Queries run on connections of their own (a small pool, a fresh session
 * per query so nothing a query sets or leaves open outlives it), each statement cancelled after
 * `HB_SQL_TIMEOUT_MS`, so a runaway query never holds the app's pool.
 */
@Injectable()
export class SqlConsoleService implements OnModuleDestroy {
  private readonly logger = new Logger(SqlConsoleService.name);
  private consolePool: Pool | null = null;
  // Checked out right now: ended at shutdown rather than waited for (a query may run minutes).
  private readonly running = new Set<PoolClient>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(APP_CONFIG) private readonly config: BaseConfig,
  ) {}

  async run(query: string): Promise<SqlResult> {
    const text = query.trim();
    if (text === '') throw failed('empty query');
    const write = isPossibleWriteQuery(text);
    const client = await this.connect();
    const started = performance.now();
    try {
      if (write) {
        await client.query('BEGIN');
        const { changedRows } = await this.execute(client, text, 0);
        await client.query('COMMIT');
        return { execTime: elapsed(started), affectedRows: changedRows, columns: [], rows: [] };
      }
      const result = await this.executeRead(client, text);
      const execTime = elapsed(started);
      return { execTime, affectedRows: 0, columns: await this.describe(result.columns), rows: result.rows };
    } catch (error) {
      if (write) await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof pg.DatabaseError) throw failed(rawMessage(error), error);
      throw error;
    } finally {
      this.running.delete(client);
      // A fresh session each time: the query's SETs, temp tables, locks and open transactions go with it.
      client.release(true);
    }
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.all([...this.running].map((client) => client.end().catch(() => undefined)));
    await this.consolePool?.end();
  }

  private async connect(): Promise<PoolClient> {
    if (!this.consolePool) {
      this.consolePool = new pg.Pool({
        // The app pool's target and connection settings (embedded or external Postgres alike).
        ...this.pool.options,
        max: CONSOLE_CONNECTIONS,
        idleTimeoutMillis: 1_000,
        application_name: 'hivebase-sql-console',
        // A session default rather than SET LOCAL: it also covers statements after a COMMIT the
        // query itself runs, and queries run outside a transaction (VACUUM may only run there).
        statement_timeout: this.config.sqlTimeoutMs,
      });
      this.consolePool.on('error', (error) => this.logger.warn(`SQL console connection: ${error.message}`));
    }
    const client = await this.consolePool.connect();
    // A checked-out client has no pool listener: a lost connection (a query may end its own
    // session) reaches the running query as its error, and must not become an unhandled event.
    // The client is discarded after its one query, listener and all.
    client.on('error', (error) => this.logger.debug(`SQL console connection lost: ${error.message}`));
    this.running.add(client);
    return client;
  }

  private execute(client: PoolClient, text: string, maxRows: number, protocol: QueryProtocol = 'simple') {
    const query = new LastResultQuery(text, maxRows, protocol);
    client.query(query);
    return query.promise;
  }

  /**
   * A read as one statement first, so Postgres stops at the 1000th row; several statements are
   * refused by that protocol before anything runs (42601, "cannot insert multiple commands into
   * a prepared statement") and run over the simple one. A plain syntax error takes the same way
   * and is reported from there.
   */
  private async executeRead(client: PoolClient, text: string) {
    try {
      return await this.execute(client, text, SQL_MAX_ROWS, 'single');
    } catch (error) {
      if (!(error instanceof pg.DatabaseError) || error.code !== '42601') throw error;
      return this.execute(client, text, SQL_MAX_ROWS, 'simple');
    }
  }

  /**
   * Each column's type name and nullability from the catalog: the type from its oid and
   * modifier, NOT NULL from the table column it was read from (as PocketBase reads SQLite's
   * declared column types); an expression's column is nullable.
   */
  private async describe(columns: ResultColumn[]): Promise<SqlResultColumn[]> {
    if (columns.length === 0) return [];
    const { rows } = await this.pool.query<{ type: string | null; notnull: boolean | null }>(
      `SELECT format_type(c.type, NULLIF(c.mod, -1)) AS type, a.attnotnull AS notnull
         FROM unnest($1::oid[], $2::int2[], $3::oid[], $4::int4[]) WITH ORDINALITY AS c(rel, att, type, mod, i)
         LEFT JOIN pg_attribute a ON a.attrelid = c.rel AND a.attnum = c.att AND c.att > 0 AND NOT a.attisdropped
        ORDER BY c.i`,
      [
        columns.map((column) => column.tableID),
        columns.map((column) => column.columnID),
        columns.map((column) => column.dataTypeID),
        columns.map((column) => column.dataTypeModifier),
      ],
    );
    return columns.map((column, i) => ({
      name: column.name,
      type: rows[i]?.type ?? '',
      nullable: rows[i]?.notnull !== true,
    }));
  }
}

/** Whole milliseconds since `started`, as Go's `Duration.Milliseconds()` truncates. */
const elapsed = (started: number) => Math.floor(performance.now() - started);
