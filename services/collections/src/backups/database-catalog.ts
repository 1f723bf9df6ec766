import { quoteIdent } from '@hivebase/contracts';
import type { PoolClient } from 'pg';
import type { ConstraintSpec, IdentitySpec, IndexSpec, SequenceSpec, TableSpec, ViewSpec } from './backup-manifest';

/** The database's schema as the backup describes it (rows and files come separately). */
export interface CatalogSnapshot {
  postgres: string;
  sequences: SequenceSpec[];
  tables: Omit<TableSpec, 'data' | 'rows'>[];
  constraints: ConstraintSpec[];
  indexes: IndexSpec[];
  identities: IdentitySpec[];
  views: ViewSpec[];
}

// Objects an extension created belong to the extension (CREATE EXTENSION brings them back).
const NOT_EXTENSION = `NOT EXISTS (SELECT 1 FROM pg_depend e WHERE e.objid = c.oid AND e.classid = 'pg_class'::regclass AND e.deptype = 'e')`;

/**
 * Reads the tables, sequences, constraints, indexes and views of the current schema from the
 * catalog. Run inside the backup's snapshot transaction (with the schema lock held, so no
 * schema change is half-seen).
 */
export async function readCatalog(client: PoolClient): Promise<CatalogSnapshot> {
  const [{ version }] = (await client.query<{ version: string }>("SELECT current_setting('server_version') AS version"))
    .rows;

  const tableRows = (
    await client.query<{ oid: number; name: string }>(
      `SELECT c.oid, c.relname AS name FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND ${NOT_EXTENSION}
       ORDER BY c.relname`,
    )
  ).rows;

  const columnRows = (
    await client.query<{
      table: string;
      name: string;
      type: string;
      notNull: boolean;
      default: string | null;
      identity: '' | 'a' | 'd';
      generated: string;
      collation: string | null;
    }>(
      `SELECT c.relname AS table, a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
              a.attnotnull AS "notNull", pg_get_expr(d.adbin, d.adrelid) AS default,
              a.attidentity::text AS identity, a.attgenerated::text AS generated,
              CASE WHEN a.attcollation <> t.typcollation THEN co.collname END AS collation
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_type t ON t.oid = a.atttypid
       LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
       LEFT JOIN pg_collation co ON co.oid = a.attcollation
       WHERE c.oid = ANY($1::oid[]) AND a.attnum > 0 AND NOT a.attisdropped
       ORDER BY c.relname, a.attnum`,
      [tableRows.map((row) => row.oid)],
    )
  ).rows;
  const tables = tableRows.map(({ name }) => ({
    name,
    columns: columnRows
      .filter((column) => column.table === name)
      .map((column) => ({
        name: column.name,
        type: column.type,
        notNull: column.notNull,
        // A generated column's expression sits where a default would.
        default: column.generated === 's' ? null : column.default,
        identity: column.identity,
        generated: column.generated === 's' ? column.default : null,
        collation: column.collation,
      })),
  }));

  const sequenceRows = (
    await client.query<{
      name: string;
      type: string;
      start: string;
      increment: string;
      min: string;
      max: string;
      cache: string;
      cycle: boolean;
      ownerTable: string | null;
      ownerColumn: string | null;
      deptype: string | null;
    }>(
      `SELECT c.relname AS name, format_type(s.seqtypid, NULL) AS type, s.seqstart::text AS start,
              s.seqincrement::text AS increment, s.seqmin::text AS min, s.seqmax::text AS max,
              s.seqcache::text AS cache, s.seqcycle AS cycle,
              owner.relname AS "ownerTable", a.attname AS "ownerColumn", d.deptype::text AS deptype
       FROM pg_class c
       JOIN pg_sequence s ON s.seqrelid = c.oid
       LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       LEFT JOIN pg_class owner ON owner.oid = d.refobjid
       LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'S' AND ${NOT_EXTENSION}
       ORDER BY c.relname`,
    )
  ).rows;
  const sequences: SequenceSpec[] = [];
  const identities: IdentitySpec[] = [];
  for (const row of sequenceRows) {
    const state = await sequenceState(client, row.name);
    if (row.deptype === 'i' && row.ownerTable && row.ownerColumn) {
      identities.push({ table: row.ownerTable, column: row.ownerColumn, ...state });
      continue;
    }
    sequences.push({
      name: row.name,
      type: row.type,
      start: row.start,
      increment: row.increment,
      min: row.min,
      max: row.max,
      cache: row.cache,
      cycle: row.cycle,
      ownedBy: row.ownerTable && row.ownerColumn ? { table: row.ownerTable, column: row.ownerColumn } : null,
      ...state,
    });
  }

  const constraints = (
    await client.query<ConstraintSpec>(
      `SELECT c.relname AS table, k.conname AS name, k.contype::text AS type, pg_get_constraintdef(k.oid) AS definition
       FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid
       WHERE c.oid = ANY($1::oid[]) AND k.contype IN ('p', 'u', 'c', 'x', 'f')
       ORDER BY c.relname, k.conname`,
      [tableRows.map((row) => row.oid)],
    )
  ).rows;

  // Indexes a constraint owns come back with it.
  const indexes = (
    await client.query<IndexSpec>(
      `SELECT c.relname AS table, ic.relname AS name, pg_get_indexdef(i.indexrelid) AS definition
       FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid JOIN pg_class ic ON ic.oid = i.indexrelid
       WHERE c.oid = ANY($1::oid[])
         AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid AND k.contype IN ('p', 'u', 'x'))
       ORDER BY c.relname, ic.relname`,
      [tableRows.map((row) => row.oid)],
    )
  ).rows;

  return { postgres: version, sequences, tables, constraints, indexes, identities, views: await readViews(client) };
}

async function sequenceState(client: PoolClient, name: string): Promise<{ lastValue: string; isCalled: boolean }> {
  const { rows } = await client.query<{ lastValue: string; isCalled: boolean }>(
    `SELECT last_value::text AS "lastValue", is_called AS "isCalled" FROM ${quoteIdent(name)}`,
  );
  return rows[0];
}

/** Views with their SELECT, each after the views it reads (a view may read another). */
async function readViews(client: PoolClient): Promise<ViewSpec[]> {
  const views = (
    await client.query<{ oid: number; name: string; definition: string }>(
      `SELECT c.oid, c.relname AS name, pg_get_viewdef(c.oid) AS definition FROM pg_class c
       WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'v' AND ${NOT_EXTENSION}
       ORDER BY c.oid`,
    )
  ).rows;
  const edges = (
    await client.query<{ view: number; uses: number }>(
      `SELECT DISTINCT r.ev_class AS view, d.refobjid AS uses
       FROM pg_rewrite r JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid
       WHERE d.refclassid = 'pg_class'::regclass AND d.refobjid <> r.ev_class AND r.ev_class = ANY($1::oid[])`,
      [views.map((view) => view.oid)],
    )
  ).rows;
  const byOid = new Map(views.map((view) => [view.oid, view]));
  const ordered: ViewSpec[] = [];
  const state = new Map<number, 'visiting' | 'done'>();
  const visit = (oid: number) => {
    if (state.get(oid) !== undefined) return;
    state.set(oid, 'visiting');
    for (const edge of edges) if (edge.view === oid && byOid.has(edge.uses)) visit(edge.uses);
    state.set(oid, 'done');
    const view = byOid.get(oid);
    if (view) ordered.push({ name: view.name, definition: view.definition });
  };
  for (const view of views) visit(view.oid);
  return ordered;
}
