import type { MigrationInterface, QueryRunner } from 'typeorm';

/** `_params`: key/value system settings (PocketBase keeps its settings document here too). */
export class CreateParams1764000000000 implements MigrationInterface {
  name = 'CreateParams1764000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE IF NOT EXISTS "_params" (
        "id" text PRIMARY KEY,
        "value" jsonb NOT NULL DEFAULT 'null'::jsonb,
        "created" timestamptz NOT NULL DEFAULT now(),
        "updated" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "_params"');
  }
}
