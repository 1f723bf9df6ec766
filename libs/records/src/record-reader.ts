import type { ListResult } from '@hivebase/contracts';
import { type CompiledSql, compileFilter, compileSort } from '@hivebase/filter';
import { type Collection, type CollectionLookup, quoteIdent, ROWID_COLUMN } from '@hivebase/schema';
import { isOwner, type RecordAccess } from './access';
import { type ListParams, parseListParams } from './list-params';
import { statementNames } from './prepared';
import type { Queryable } from './queryable';
import { RecordExpander } from './record-expander';
import { recordToJson } from './record-json';
import { isPossibleId, RecordsError, recordNotFound } from './records.errors';

/** Extra column telling whether the caller may manage an auth record (see `columnsSql`). */
const MANAGED_COLUMN = '__hb_managed';

// The combined list statement's total column: with a dot, which no field name can hold.
const TOTAL_KEY = 'hb.total';
const TOTAL = `"${TOTAL_KEY}"`;

/** What only superusers may use in `filter` and `sort`, in the order PocketBase checks them. */
const SUPERUSER_ONLY_REFS = ['@collection.', '@request.'];

type Json = Record<string, unknown>;

/** Reads records as PocketBase's list and view endpoints do: rules, filter, sort, pages. */
export class RecordReader {
  private readonly expander: RecordExpander;

  constructor(
    private readonly db: Queryable,
    private readonly lookup: CollectionLookup,
  ) {
    this.expander = new RecordExpander(db, lookup, (collection, row, access) => this.toJson(collection, row, access));
  }

  /**
   * The rule as SQL for `access`, its parameters numbered after `offset` (null: nothing to check —
   * a superuser, or a rule that lets everyone through; a null rule locks non-superusers out with a 403).
   */
  ruleSql(collection: Collection, rule: string | null, access: RecordAccess, offset: number): CompiledSql | null {
    if (access.isSuperuser) return null;
    if (rule === null) throw new RecordsError('records_only_superusers');
    if (rule.trim() === '') return null;
    return compileFilter(rule, {
      lookup: this.lookup,
      collection,
      request: access.request,
      allowHiddenFields: true,
      paramOffset: offset,
    });
  }

  async list(collection: Collection, params: ListParams, access: RecordAccess): Promise<ListResult<Json>> {
    const { page, perPage, offset, skipTotal, filter, sort } = parseListParams(params);
    if (!access.isSuperuser) {
      for (const text of [filter, sort]) {
        const ref = SUPERUSER_ONLY_REFS.find((candidate) => text.includes(candidate));
        if (ref) throw new RecordsError('records_superuser_filter', {}, { params: { ref } });
      }
    }
    const conditions: CompiledSql[] = [];
    const rule = this.ruleSql(collection, collection.listRule, access, 0);
    if (rule) conditions.push(rule);
    const clientOptions = {
      lookup: this.lookup,
      collection,
      request: access.request,
      allowHiddenFields: access.isSuperuser,
      allowRequestAndCollectionRefs: access.isSuperuser,
    };
    if (filter) conditions.push(compileFilter(filter, { ...clientOptions, paramOffset: rule?.params.length ?? 0 }));
    const whereParams = conditions.flatMap((condition) => condition.params);
    const where = conditions.length > 0 ? conditions.map((condition) => `(${condition.sql})`).join(' AND ') : 'TRUE';
    const order = sort ? compileSort(sort, { ...clientOptions, paramOffset: whereParams.length }) : null;
    const table = quoteIdent(collection.name);
    // Without a sort PocketBase returns rows in insertion order (SQLite's rowid); ties of a sort
    // break the same way, so pages stay stable. A view has no insertion order: its id stands in.
    const insertionOrder = `${table}.${quoteIdent(collection.type === 'view' ? 'id' : ROWID_COLUMN)}`;
    const orderBy = [order?.sql, insertionOrder].filter(Boolean).join(', ');
    const selectParams = [...whereParams, ...(order?.params ?? [])];
    const columns = this.columnsSql(collection, access, selectParams);
    const count = `SELECT count(*) AS n FROM ${table} WHERE ${where}`;
    let rows: Json[] = [];
    let totalItems = -1;
    if (offset === null) {
      if (!skipTotal) totalItems = await this.count(collection, count, whereParams);
    } else {
      const limits = `LIMIT $${selectParams.length + 1} OFFSET $${selectParams.length + 2}`;
      const values = [...selectParams, perPage, String(offset)];
      if (skipTotal) {
        const pageSql = `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${orderBy} ${limits}`;
        rows = (await statementNames.query<Json>(this.db, collection, pageSql, values)).rows;
      } else {
        // Page and total in one round trip: the count's one row joined to the page's rows, one
        // row of NULLs when the page is empty. Both read one snapshot, so the page holds rows
        // exactly when the total reaches past the offset. (No marker column in the page: one
        // would make Postgres project every scanned row instead of passing it through, which
        // costs more than the second round trip saves.) The page's WHERE reuses the count's parameters.
        const pageSql = `SELECT ${columns} FROM ${table} WHERE ${where} ORDER BY ${orderBy} ${limits}`;
        const joined = await statementNames.query<Json>(
          this.db,
          collection,
          `SELECT "hb.count".n AS ${TOTAL}, "hb.page".* FROM (${count}) AS "hb.count" LEFT JOIN LATERAL (${pageSql}) AS "hb.page" ON TRUE`,
          values,
        );
        totalItems = Number(joined.rows[0]?.[TOTAL_KEY] ?? 0);
        if (BigInt(totalItems) > offset) rows = joined.rows;
      }
    }
    const items = rows.map((row) => this.toJson(collection, row, access));
    await this.expander.expand(collection, rows, items, params.expand, access);
    return { page, perPage, totalItems, totalPages: skipTotal ? -1 : Math.ceil(totalItems / perPage), items };
  }

  private async count(collection: Collection, sql: string, params: unknown[]): Promise<number> {
    const { rows } = await statementNames.query<{ n: string }>(this.db, collection, sql, params);
    return Number(rows[0]?.n ?? 0);
  }

  /** One record if the view rule lets this caller see it; 404 otherwise (as PocketBase hides it). */
  async view(collection: Collection, id: string, access: RecordAccess, expand?: string): Promise<Json> {
    const row = await this.findVisible(collection, id, collection.viewRule, access);
    if (!row) throw recordNotFound();
    const json = this.toJson(collection, row, access);
    await this.expander.expand(collection, [row], [json], expand, access);
    return json;
  }

  /** `expand` on a record just written (its JSON from the writer). */
  async expandWritten(
    collection: Collection,
    json: Json,
    expand: string | undefined,
    access: RecordAccess,
  ): Promise<Json> {
    if (!expand?.trim()) return json;
    const table = quoteIdent(collection.name);
    const { rows } = await statementNames.query<Json>(this.db, collection, `SELECT * FROM ${table} WHERE id = $1`, [
      json.id,
    ]);
    if (rows[0]) await this.expander.expand(collection, [rows[0]], [json], expand, access);
    return json;
  }

  /** The stored row `id` if `rule` lets `access` reach it (null: missing or hidden by the rule). */
  async findVisible(
    collection: Collection,
    id: string,
    rule: string | null,
    access: RecordAccess,
  ): Promise<Json | null> {
    if (!isPossibleId(id)) return null;
    const compiled = this.ruleSql(collection, rule, access, 1);
    const table = quoteIdent(collection.name);
    const params = [id, ...(compiled?.params ?? [])];
    const columns = this.columnsSql(collection, access, params);
    const { rows } = await statementNames.query<Json>(
      this.db,
      collection,
      `SELECT ${columns} FROM ${table} WHERE ${table}.id = $1${compiled ? ` AND (${compiled.sql})` : ''}`,
      params,
    );
    return rows[0] ?? null;
  }

  /**
   * The row's columns, plus for auth collections whether the caller passes the manageRule on
   * it (managers see emails). Appends the rule's values to `params`.
   */
  private columnsSql(collection: Collection, access: RecordAccess, params: unknown[]): string {
    const table = quoteIdent(collection.name);
    if (access.isSuperuser || collection.type !== 'auth' || !collection.manageRule?.trim()) return `${table}.*`;
    const manage = compileFilter(collection.manageRule, {
      lookup: this.lookup,
      collection,
      request: access.request,
      allowHiddenFields: true,
      paramOffset: params.length,
    });
    params.push(...manage.params);
    return `${table}.*, COALESCE((${manage.sql}), false) AS ${quoteIdent(MANAGED_COLUMN)}`;
  }

  toJson(collection: Collection, row: Json, access: RecordAccess): Json {
    return recordToJson(collection, row, {
      showHidden: access.isSuperuser,
      showEmail: access.isSuperuser || isOwner(access, collection, row) || row[MANAGED_COLUMN] === true,
    });
  }
}
