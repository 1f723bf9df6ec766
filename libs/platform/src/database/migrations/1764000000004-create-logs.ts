import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `_logs`: the request logs the gateway writes (PocketBase's `_logs` of its auxiliary database).
 * `created` is text in PocketBase's date format, as record dates are, so the filter language
 * compares it the same way and its order is time order; `data` is the log's JSON attributes;
 * `__hb_rowid` is the insertion order (`@rowid`), as on collection tables.
 */
export class CreateLogs1764000000004 implements MigrationInterface {
  name = 'CreateLogs1764000000004';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "_logs" (
        "id" text PRIMARY KEY,
        "created" text NOT NULL,
        "level" double precision NOT NULL DEFAULT 0,
        "message" text NOT NULL DEFAULT '',
        "data" jsonb NOT NULL DEFAULT '{}',
        "__hb_rowid" bigint GENERATED ALWAYS AS IDENTITY UNIQUE
      )`);
    await queryRunner.query('CREATE INDEX "_logs_created_idx" ON "_logs" ("created")');
    await queryRunner.query('CREATE INDEX "_logs_level_idx" ON "_logs" ("level")');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "_logs"');
  }
}
