import { compileFilter, evaluateFilter, type FilterNode, parseFilter, type RequestContext } from '@hivebase/filter';
import { type Collection, type CollectionLookup, quoteIdent } from '@hivebase/schema';
import type { LoggerService } from '@nestjs/common';
import type { Pool } from 'pg';

/** Parsed rules and filters, reused across events (a rule is parsed once, not per subscriber). */
const parsedCache = new Map<string, FilterNode | null>();
const PARSED_CACHE_LIMIT = 2_000;

function parsed(text: string): FilterNode | null {
  let node = parsedCache.get(text);
  if (node === undefined) {
    try {
      node = parseFilter(text);
    } catch {
      node = null;
    }
    if (parsedCache.size >= PARSED_CACHE_LIMIT) parsedCache.clear();
    parsedCache.set(text, node);
  }
  return node;
}

/** A check only the database can answer, answered by `resolve`. */
interface PendingCheck {
  rule: string;
  request: RequestContext;
  allowHidden: boolean;
  answer: boolean;
}

/** The answer of one check: known now, or pending until `resolve`. */
export type CheckAnswer = boolean | PendingCheck;

export const answerOf = (check: CheckAnswer): boolean => (typeof check === 'boolean' ? check : check.answer);

/** Conditions per query: keeps the bind parameters far below Postgres' 65 535. */
const CHECKS_PER_QUERY = 200;

/**
 * The rule and filter checks of one event's record. Each check runs in memory with libs/filter's
 * evaluator; what it cannot decide (joins, `@collection`) waits, and `resolve` answers every
 * waiting check of the event with one SQL query, whatever the number of subscribers. Identical
 * checks (same rule, same auth, same options) are asked once.
 */
export class RecordChecks {
  /** Answers by allowHidden (0/1), then rule, then the subscriber's memo key: no key strings built per check. */
  private readonly memo = [new Map<string, Map<string, CheckAnswer>>(), new Map<string, Map<string, CheckAnswer>>()];
  private readonly pending: PendingCheck[] = [];

  constructor(
    private readonly lookup: CollectionLookup,
    private readonly collection: Collection,
    private readonly record: Record<string, unknown>,
    /** For a deleted record: checked against its last state instead of the (gone) stored row. */
    private readonly deleted: boolean,
  ) {}

  check(rule: string, request: RequestContext, allowHidden: boolean, memoKey: string): CheckAnswer {
    const byRule = this.memo[allowHidden ? 1 : 0];
    let byKey = byRule.get(rule);
    if (!byKey) {
      byKey = new Map();
      byRule.set(rule, byKey);
    }
    const known = byKey.get(memoKey);
    if (known !== undefined) return known;
    const answer = this.evaluate(rule, request, allowHidden);
    byKey.set(memoKey, answer);
    return answer;
  }

  private evaluate(rule: string, request: RequestContext, allowHidden: boolean): CheckAnswer {
    const node = parsed(rule);
    if (!node) return false;
    try {
      const result = evaluateFilter(node, {
        collection: this.collection,
        lookup: this.lookup,
        record: this.record,
        request,
        allowHiddenFields: allowHidden,
      });
      if (result !== 'unknown') return result;
    } catch {
      // An invalid rule or a forbidden field lets nothing through, as a failed REST read.
      return false;
    }
    const waiting: PendingCheck = { rule, request, allowHidden, answer: false };
    this.pending.push(waiting);
    return waiting;
  }

  /** Answers the waiting checks in one query per 200 (none when nothing waits). */
  async resolve(pool: Pool, logger: LoggerService): Promise<void> {
    for (let start = 0; start < this.pending.length; start += CHECKS_PER_QUERY) {
      await this.resolveChunk(pool, logger, this.pending.slice(start, start + CHECKS_PER_QUERY));
    }
  }

  private async resolveChunk(pool: Pool, logger: LoggerService, checks: PendingCheck[]): Promise<void> {
    const table = quoteIdent(this.collection.name);
    const params: unknown[] = [this.record.id];
    if (this.deleted) params.push(JSON.stringify(this.record));
    const columns: string[] = [];
    const asked: PendingCheck[] = [];
    for (const check of checks) {
      try {
        const compiled = compileFilter(check.rule, {
          lookup: this.lookup,
          collection: this.collection,
          request: check.request,
          allowHiddenFields: check.allowHidden,
          paramOffset: params.length,
        });
        params.push(...compiled.params);
        columns.push(`COALESCE((${compiled.sql}), false) AS c${asked.length}`);
        asked.push(check);
      } catch {
        check.answer = false;
      }
    }
    if (asked.length === 0) return;
    // A deleted record is gone from its table: a CTE of the same name stands in with its last state.
    const shadow = this.deleted
      ? `WITH ${table} AS (SELECT * FROM jsonb_populate_record(NULL::${table}, $2::jsonb)) `
      : '';
    try {
      const { rows } = await pool.query<Record<string, boolean>>(
        `${shadow}SELECT ${columns.join(', ')} FROM ${table} WHERE ${table}.id = $1`,
        params,
      );
      const row = rows[0];
      asked.forEach((check, index) => {
        check.answer = row?.[`c${index}`] === true;
      });
    } catch (error) {
      logger.warn({ msg: 'realtime rule check failed', collection: this.collection.name, err: error });
    }
  }
}
