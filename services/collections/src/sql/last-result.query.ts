import type { Connection, Submittable } from 'pg';

/** A result column as Postgres describes it (RowDescription). */
export interface ResultColumn {
  name: string;
  /** The table the column was read from (0 for an expression). */
  tableID: number;
  /** Its attribute number in that table (0 for an expression). */
  columnID: number;
  dataTypeID: number;
  dataTypeModifier: number;
}

/** What a multi-statement query leaves: the last statement's columns and rows, capped. */
export interface LastResult {
  /** The last statement's columns; empty when it returns no rows (INSERT, CREATE…). */
  columns: ResultColumn[];
  /** Its first `maxRows` rows, each value Postgres' text output or null. */
  rows: (string | null)[][];
  /** Rows changed by the last INSERT/UPDATE/DELETE/MERGE of the query, 0 without one. */
  changedRows: number;
}

// The protocol messages this query reads (pg-protocol's, reduced to the parts used here).
interface RowDescriptionMessage {
  fields: ResultColumn[];
}
interface DataRowMessage {
  fields: (string | null)[];
}
interface CommandCompleteMessage {
  text: string;
}
// The connection's protocol writers as pg 8 has them (its type declarations are older).
interface ProtocolConnection {
  query(text: string): void;
  parse(message: { text: string; name: string; types: number[] }): void;
  bind(message: { portal: string; statement: string; values: unknown[] }): void;
  describe(message: { type: 'P' | 'S'; name: string }): void;
  execute(message: { portal: string; rows: number }): void;
  sync(): void;
  sendCopyFail(message: string): void;
}

/**
 * How the text is sent: `simple` takes several `;`-separated statements, every row of every one
 * crossing the wire; `single` takes exactly one statement (the extended protocol refuses more,
 * with SQLSTATE 42601) and stops it at `maxRows` rows.
 */
export type QueryProtocol = 'simple' | 'single';

// Command tags that report rows written: "INSERT 0 5", "UPDATE 3", "DELETE 1", "MERGE 2".
const CHANGED_ROWS_TAG = /^(?:INSERT \d+|UPDATE|DELETE|MERGE) (\d+)$/;

/**
 * Runs `text` and keeps only what `/api/sql` answers: the last statement's columns and first
 * `maxRows` rows, values as the raw text Postgres sends. Over the simple protocol rows past the
 * cap are dropped as they arrive (no memory held; the statement timeout bounds the time); a
 * single statement runs as an unnamed portal executed for `maxRows` rows, so Postgres stops there
 * (as PocketBase stops reading SQLite's rows). Either way it ends in one implicit transaction,
 * committed when the statements succeed. A pg `Submittable`: the client hands it each protocol
 * message of its query.
 */
export class LastResultQuery implements Submittable {
  readonly promise: Promise<LastResult>;
  private resolve!: (result: LastResult) => void;
  private reject!: (error: Error) => void;
  private settled = false;
  // The statement being read: its columns once described, its rows so far.
  private columns: ResultColumn[] | null = null;
  private rows: (string | null)[][] = [];
  private last: LastResult = { columns: [], rows: [], changedRows: 0 };

  constructor(
    private readonly text: string,
    private readonly maxRows: number,
    private readonly protocol: QueryProtocol = 'simple',
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    const protocol = connection as unknown as ProtocolConnection;
    if (this.protocol === 'simple') {
      protocol.query(this.text);
      return;
    }
    protocol.parse({ text: this.text, name: '', types: [] });
    protocol.bind({ portal: '', statement: '', values: [] });
    protocol.describe({ type: 'P', name: '' });
    // Postgres suspends the portal after this many rows (0 would mean all of them).
    protocol.execute({ portal: '', rows: this.maxRows });
    protocol.sync();
  }

  handleRowDescription(message: RowDescriptionMessage): void {
    this.columns = message.fields;
    this.rows = [];
  }

  handleDataRow(message: DataRowMessage): void {
    if (this.rows.length < this.maxRows) this.rows.push(message.fields);
  }

  handleCommandComplete(message: CommandCompleteMessage): void {
    this.complete(message.text);
  }

  // The single statement's portal stopped at `maxRows` with more to give: those are the rows.
  handlePortalSuspended(): void {
    this.complete('');
  }

  private complete(tag: string): void {
    const changed = CHANGED_ROWS_TAG.exec(tag);
    this.last = {
      columns: this.columns ?? [],
      rows: this.columns ? this.rows : [],
      // Like SQLite's changes(): a later SELECT or DDL keeps the count of the last write.
      changedRows: changed ? Number(changed[1]) : this.last.changedRows,
    };
    this.columns = null;
    this.rows = [];
  }

  handleEmptyQuery(): void {
    this.last = { columns: [], rows: [], changedRows: this.last.changedRows };
  }

  // COPY … FROM STDIN would wait for data the console has no way to send: refuse it.
  handleCopyInResponse(connection: Connection): void {
    const protocol = connection as unknown as ProtocolConnection;
    protocol.sendCopyFail('COPY FROM STDIN is not supported by the SQL console');
    // In copy-in mode Postgres ignored the Sync already sent; it waits for one after the failure.
    if (this.protocol === 'single') protocol.sync();
  }

  // COPY … TO STDOUT streams its data outside rows; the console drops it.
  handleCopyData(): void {}

  handleError(error: Error): void {
    if (this.settled) return;
    this.settled = true;
    this.reject(error);
  }

  handleReadyForQuery(): void {
    if (this.settled) return;
    this.settled = true;
    this.resolve(this.last);
  }
}
