import { Module } from '@nestjs/common';
import { SqlController } from './sql.controller';
import { SqlConsoleService } from './sql-console.service';

/** The SQL console: `POST /api/sql` (docs/sql.md). */
@Module({
  controllers: [SqlController],
  providers: [SqlConsoleService],
})
export class SqlModule {}
