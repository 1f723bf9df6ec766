import type { MigrationInterface, QueryRunner } from 'typeorm';

// As the column was when this migration was written (the schema library's ROWID_COLUMN): a
// migration states its SQL in full, so it means the same whatever later code says.
const ROWID_COLUMN = '__hb_rowid';
const ROWID_COLUMN_SQL = `"${ROWID_COLUMN}" bigint GENERATED ALWAYS AS IDENTITY UNIQUE`;

/**
 * Gives collection tables created before `@rowid` existed their insertion-number column (new
 * tables get it from the schema planner). Existing rows are numbered in their physical order,
 * the closest record of insertion order Postgres keeps.
 */
export class AddCollectionRowid1764000000003 implements MigrationInterface {
  name = 'AddCollectionRowid1764000000003';

  async up(queryRunner: QueryRunner): Promise<void> {
    const tables: { name: string }[] = await queryRunner.query(
      `SELECT c.name FROM "_collections" c WHERE c.type <> 'view' AND to_regclass(quote_ident(c.name)) IS NOT NULL`,
    );
    for (const { name } of tables) {
      const present: unknown[] = await queryRunner.query(
        `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = $2`,
        [name, ROWID_COLUMN],
      );
      // Postgres quotes the name itself (format's %I), so no identifier quoting lives here.
      const [{ sql }]: { sql: string }[] = await queryRunner.query(
        `SELECT format('ALTER TABLE %I ADD COLUMN ', $1::text) AS sql`,
        [name],
      );
      if (present.length === 0) await queryRunner.query(`${sql}${ROWID_COLUMN_SQL}`);
    }
  }

  async down(): Promise<void> {
    // The column is harmless to keep; dropping it would lose the insertion order.
  }
}
