import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * `_outbox`: record events written in the record's own transaction, waiting for the relay to
 * publish them after commit (then it deletes them). `id` orders them.
 */
export class CreateOutbox1764000000002 implements MigrationInterface {
  name = 'CreateOutbox1764000000002';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "_outbox" (
        "id" bigserial PRIMARY KEY,
        "event" jsonb NOT NULL,
        "created" timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query('DROP TABLE IF EXISTS "_outbox"');
  }
}
