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
// `sendCopyFail` exists on pg's connection but is missing from its type declarations.
type CopyConnection = Connection & { sendCopyFail(message: string): void };

// Command tags that report rows written: "INSERT 0 5", "UPDATE 3", "DELETE 1", "MERGE 2".
const CHANGED_ROWS_TAG = /^(?:INSERT \d+|UPDATE|DELETE|MERGE) (\d+)$/;

/**
 * Runs `text` over the simple-query protocol (several `;`-separated statements allowed) and keeps
 * only what `/api/sql` answers: the last statement's columns and first `maxRows` rows, values as
 * the raw text Postgres sends. Rows past the cap are dropped as they arrive, so a query returning
 * millions of rows costs no memory (the statement timeout bounds the time). A pg `Submittable`:
 * the client hands it each protocol message of its query.
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
  ) {
    this.promise = new Promise((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    connection.query(this.text);
  }

  handleRowDescription(message: RowDescriptionMessage): void {
    this.columns = message.fields;
    this.rows = [];
  }

  handleDataRow(message: DataRowMessage): void {
    if (this.rows.length < this.maxRows) this.rows.push(message.fields);
  }

  handleCommandComplete(message: CommandCompleteMessage): void {
    const changed = CHANGED_ROWS_TAG.exec(message.text);
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
  handleCopyInResponse(connection: CopyConnection): void {
    connection.sendCopyFail('COPY FROM STDIN is not supported by the SQL console');
  }

  // COPY … TO STDOUT streams its data outside rows; the console drops it.
  handleCopyData(): void {}

  handlePortalSuspended(): void {}

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
