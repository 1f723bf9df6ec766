import { sanitizeText } from './sqlite-coercion';

/**
 * How a value takes part in a comparison, mirroring SQLite's storage classes:
 * `num` (double precision or boolean), `text`, `json` (a jsonb value whose class is only known
 * per row) and `null` (the NULL keyword or a missing request value).
 */
export type ValueClass = 'num' | 'text' | 'json' | 'null';

/** SQLite column affinity: literals, parameters and most expressions have none. */
export type Affinity = 'text' | 'numeric' | 'none';

/** One side of a comparison, as SQL plus what the comparison needs to know about it. */
export interface SqlOperand {
  cls: ValueClass;
  /** num: a double precision (or, with `bool: 'column'`, a boolean) expression; text: text; json: jsonb. */
  sql: string;
  affinity: Affinity;
  /** Whether the expression can be NULL (joined columns, json values). */
  nullable: boolean;
  /** PocketBase's "no coalesce": `=`/`!=` compare NULL-safely instead of treating NULL as ''. */
  noCoalesce?: boolean;
  /** A boolean column (SQL boolean) or the `true`/`false` keywords (SQL TRUE/FALSE). */
  bool?: 'column' | 'literal';
  /** Set for bind parameters, so coercions can happen on the value instead of in SQL. */
  param?: { value: string | number | null };
}

/** Collects bind values and hands out `$n` placeholders (numbered from an offset). */
export class ParamBag {
  readonly values: unknown[] = [];
  constructor(private readonly offset = 0) {}

  add(value: unknown): string {
    const bound = typeof value === 'string' ? sanitizeText(value) : value;
    this.values.push(bound);
    return `$${this.offset + this.values.length}`;
  }

  /**
   * Renumbers the placeholders of the finished SQL in order of appearance and drops values no
   * placeholder uses (an operand can be coerced into a new parameter, leaving the first unused,
   * and Postgres refuses parameters it cannot type). Only placeholders match `$<digits>`: the
   * SQL holds no user text.
   */
  finish(sql: string): { sql: string; params: unknown[] } {
    const mapping = new Map<number, number>();
    const params: unknown[] = [];
    const renumbered = sql.replace(/\$(\d+)/g, (_, digits: string) => {
      const index = Number(digits) - this.offset - 1;
      let next = mapping.get(index);
      if (next === undefined) {
        params.push(this.values[index]);
        next = params.length;
        mapping.set(index, next);
      }
      return `$${this.offset + next}`;
    });
    return { sql: renumbered, params };
  }

  text(value: string): SqlOperand {
    return { cls: 'text', sql: `${this.add(value)}::text`, affinity: 'none', nullable: false, param: { value } };
  }

  number(value: number): SqlOperand {
    return {
      cls: 'num',
      sql: `${this.add(value)}::double precision`,
      affinity: 'none',
      nullable: false,
      param: { value },
    };
  }
}

export const NULL_OPERAND: SqlOperand = { cls: 'null', sql: 'NULL', affinity: 'none', nullable: true };

export function boolLiteral(value: boolean): SqlOperand {
  return { cls: 'num', sql: value ? 'TRUE' : 'FALSE', affinity: 'none', nullable: false, bool: 'literal' };
}

// One quoting rule for identifiers in the codebase: the schema library's. Only metadata names reach it.
export { quoteIdent } from '@hivebase/schema';
