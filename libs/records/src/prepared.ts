import { createHash } from 'node:crypto';
import type { Collection } from '@hivebase/schema';
import type { QueryConfig, QueryResult, QueryResultRow } from 'pg';
import type { Queryable } from './queryable';

/** Distinct statement names one process hands out; past it, new texts run unnamed. */
export const MAX_NAMED_STATEMENTS = 1000;

/** Postgres's "cached plan must not change result type" (and other feature_not_supported errors). */
const STALE_PLAN = '0A000';

/**
 * Names for the records engine's fixed-shape statements, so each pooled connection parses and
 * plans them once (pg prepares a named statement on its first use per connection).
 *
 * A name is a hash of the text and of the collection's `updated` stamp, which every schema
 * change moves: a statement reading `table.*` prepared before an `ALTER TABLE` would fail with
 * "cached plan must not change result type", and a new stamp means a new name. When the change
 * came from elsewhere (another replica, this one not reloaded yet) the statement is retried once
 * under a fresh name. Only texts whose values are all parameters belong here, and at most
 * `limit` names are ever given out (each stays prepared on every connection that used it).
 */
export class StatementNames {
  private readonly names = new Map<string, string>();
  private issued = 0;

  constructor(private readonly limit = MAX_NAMED_STATEMENTS) {}

  /** pg's query config for `text`: named unless the cap is reached. */
  config(collection: Pick<Collection, 'id' | 'updated'>, text: string, values: unknown[]): QueryConfig {
    const key = `${collection.id}\u0000${collection.updated}\u0000${text}`;
    let name = this.names.get(key);
    if (name === undefined) {
      if (this.issued >= this.limit) return { text, values };
      name = this.issue(key, 0);
    }
    return { name, text, values };
  }

  /**
   * Runs `text` named when `db` is a pool or a client outside a transaction; inside one a failed
   * statement would abort it, so a stale plan could not be retried: there it runs unnamed.
   */
  async query<Row extends QueryResultRow = QueryResultRow>(
    db: Queryable,
    collection: Pick<Collection, 'id' | 'updated'>,
    text: string,
    values: unknown[],
  ): Promise<QueryResult<Row>> {
    const status = db.getTransactionStatus?.();
    if (status !== undefined && status !== 'I') return db.query<Row>(text, values);
    const config = this.config(collection, text, values);
    if (config.name === undefined) return db.query<Row>(config);
    try {
      return await db.query<Row>(config);
    } catch (error) {
      if ((error as { code?: string }).code !== STALE_PLAN) throw error;
      // A connection holds this name with a plan of the table as it was: never use it again.
      return db.query<Row>(this.renamed(collection, config));
    }
  }

  /** How many names were given out (for tests and metrics). */
  get size(): number {
    return this.issued;
  }

  private renamed(collection: Pick<Collection, 'id' | 'updated'>, stale: QueryConfig): QueryConfig {
    const key = `${collection.id}\u0000${collection.updated}\u0000${stale.text}`;
    if (this.names.get(key) !== stale.name || this.issued >= this.limit) {
      const current = this.names.get(key);
      // Another request renamed it already (use that), or no name is left (run unnamed).
      return current !== undefined && current !== stale.name
        ? { name: current, text: stale.text, values: stale.values }
        : { text: stale.text, values: stale.values };
    }
    const name = stale.name ?? '';
    const generation = Number(name.slice(name.lastIndexOf('_') + 1)) + 1;
    return { name: this.issue(key, generation), text: stale.text, values: stale.values };
  }

  private issue(key: string, generation: number): string {
    const name = `hb_${createHash('sha1').update(key).digest('hex').slice(0, 24)}_${generation}`;
    this.names.set(key, name);
    this.issued += 1;
    return name;
  }
}

/** The process's statement names, shared by every reader and writer (names are per connection). */
export const statementNames = new StatementNames();
