import { BODY_POLICIES, BodyErrors, SuperuserGuard } from '@hivebase/runtime';
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import { SqlConsoleService, type SqlResult } from './sql-console.service';
import { readSqlQueryOrThrow } from './sql-form';

/**
 * `POST /api/sql` `{query}` (PocketBase's SQL console API, the SDK's `pb.sql.run()`):
 * superusers only (guest 401, any other auth record 403).
 */
@Controller('api/sql')
@UseGuards(SuperuserGuard)
export class SqlController {
  constructor(@Inject(SqlConsoleService) private readonly console: SqlConsoleService) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post()
  @HttpCode(200)
  run(@Body() body: unknown): Promise<SqlResult> {
    return this.console.run(readSqlQueryOrThrow(body));
  }
}
