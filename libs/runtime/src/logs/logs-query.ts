import { type CompiledSql, compileFilter, compileSort } from '@hivebase/filter';
import { parseListParams } from '@hivebase/records';
import type { BaseCollection, Collection, Field } from '@hivebase/schema';
import { quoteIdent, ROWID_COLUMN } from '@hivebase/schema';
import type { Pool } from 'pg';
import { lookupOf } from '../schema/collection-lookup';

/** A request log as PocketBase's logs API answers it. */
export interface LogJson {
  id: string;
  created: string;
  data: Record<string, unknown>;
  message: string;
  level: number;
}

export interface LogsStatsItem {
  total: number;
  /** The hour, `YYYY-MM-DD HH:00:00` (UTC). */
  date: string;
}

const field = (name: string, type: 'text' | 'date' | 'number' | 'json'): Field => {
  const common = { id: `_logs_${name}`, name, system: true, hidden: false, presentable: false, required: false };
  switch (type) {
    case 'text':
      return {
        ...common,
        type,
        min: 0,
        max: 0,
        pattern: '',
        autogeneratePattern: '',
        primaryKey: name === 'id',
      } as Field;
    case 'date':
      return { ...common, type, min: '', max: '' } as Field;
    case 'number':
      return { ...common, type, min: null, max: null, onlyInt: false } as Field;
    case 'json':
      return { ...common, type, maxSize: 0 } as Field;
  }
};

/**
 * `_logs` described as a collection, so PocketBase's filter language reaches it through the one
 * field resolver (PocketBase's logs filter knows `id, created, level, message, data, data.*`).
 */
const LOGS_COLLECTION = {
  id: '_logs',
  name: '_logs',
  type: 'base',
  system: true,
  fields: [
    field('id', 'text'),
    field('created', 'date'),
    field('level', 'number'),
    field('message', 'text'),
    field('data', 'json'),
  ],
  indexes: [],
  created: '',
  updated: '',
  listRule: null,
  viewRule: null,
  createRule: null,
  updateRule: null,
  deleteRule: null,
} as unknown as BaseCollection;

const LOOKUP = lookupOf([LOGS_COLLECTION as Collection]);
const OPTIONS = {
  lookup: LOOKUP,
  collection: LOGS_COLLECTION as Collection,
  allowHiddenFields: true,
  allowRequestAndCollectionRefs: false,
} as const;

const COLUMNS = `id, created, data, message, level`;

interface LogRow {
  id: string;
  created: string;
  data: Record<string, unknown> | null;
  message: string;
  level: number;
}

const toJson = (row: LogRow): LogJson => ({
  id: row.id,
  created: row.created,
  data: row.data ?? {},
  message: row.message,
  level: Number(row.level),
});

function whereOf(filter: string): CompiledSql {
  return filter ? compileFilter(filter, OPTIONS) : { sql: 'TRUE', params: [] };
}

/** `GET /api/logs`: PocketBase's list with filter, sort, paging and skipTotal over `_logs`. */
export async function listLogs(pool: Pool, query: Record<string, string | undefined>) {
  const { page, perPage, offset, skipTotal, filter, sort } = parseListParams(query);
  const where = whereOf(filter);
  const order = sort ? compileSort(sort, { ...OPTIONS, paramOffset: where.params.length }) : null;
  const orderBy = [order?.sql, `${quoteIdent('_logs')}.${quoteIdent(ROWID_COLUMN)}`].filter(Boolean).join(', ');
  const params = [...where.params, ...(order?.params ?? [])];
  const items =
    offset === null
      ? []
      : (
          await pool.query<LogRow>(
            `SELECT ${COLUMNS} FROM "_logs" WHERE ${where.sql} ORDER BY ${orderBy} LIMIT ${perPage} OFFSET ${offset}`,
            params,
          )
        ).rows.map(toJson);
  if (skipTotal) return { items, page, perPage, totalItems: -1, totalPages: -1 };
  const { rows } = await pool.query<{ total: string }>(
    `SELECT count(*) AS total FROM "_logs" WHERE ${where.sql}`,
    where.params,
  );
  const totalItems = Number(rows[0].total);
  return { items, page, perPage, totalItems, totalPages: Math.ceil(totalItems / perPage) };
}

/** `GET /api/logs/stats`: the matching logs counted per hour, oldest first. */
export async function logsStats(pool: Pool, filter: string): Promise<LogsStatsItem[]> {
  const where = whereOf(filter.trim());
  const { rows } = await pool.query<{ total: string; date: string }>(
    `SELECT count(id) AS total, substr(created, 1, 13) || ':00:00' AS date
     FROM "_logs" WHERE ${where.sql} GROUP BY 2 ORDER BY 2`,
    where.params,
  );
  return rows.map((row) => ({ total: Number(row.total), date: row.date }));
}

/** `GET /api/logs/{id}`: one log, null when there is none. */
export async function findLog(pool: Pool, id: string): Promise<LogJson | null> {
  const { rows } = await pool.query<LogRow>(`SELECT ${COLUMNS} FROM "_logs" WHERE id = $1`, [id]);
  return rows[0] ? toJson(rows[0]) : null;
}

/** `DELETE /api/logs` (v0.40): every log goes. */
export async function truncateLogs(pool: Pool): Promise<void> {
  await pool.query('TRUNCATE "_logs"');
}
