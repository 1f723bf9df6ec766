import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `_collections`: one row per collection, the whole definition (secrets included) in `data`;
 * `_schema_version` is bumped by every schema change so replicas can tell a stale cache cheaply.
 */
export class CreateCollections1764000000001 implements MigrationInterface {
  name = 'CreateCollections1764000000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "_collections" (
        "id" text PRIMARY KEY,
        "name" text NOT NULL,
        "type" text NOT NULL,
        "system" boolean NOT NULL DEFAULT false,
        "data" jsonb NOT NULL,
        "created" text NOT NULL,
        "updated" text NOT NULL
      )`);
    await queryRunner.query('CREATE UNIQUE INDEX "_collections_name_key" ON "_collections" (lower("name"))');
    await queryRunner.query('CREATE SEQUENCE "_schema_version"');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP SEQUENCE IF EXISTS "_schema_version"');
    await queryRunner.query('DROP TABLE IF EXISTS "_collections"');
  }
}
