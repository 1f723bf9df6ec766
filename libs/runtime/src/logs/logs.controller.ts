import { ApiError, PG_POOL } from '@hivebase/platform';
import { Controller, Delete, Get, HttpCode, Inject, Param, Query, UseGuards } from '@nestjs/common';
import type { Pool } from 'pg';
import { SuperuserGuard } from '../auth/superuser.guard';
import { findLog, type LogJson, type LogsStatsItem, listLogs, logsStats, truncateLogs } from './logs-query';

/**
 * PocketBase's logs API over `_logs` (the gateway writes the request logs): superusers only.
 * It lives here rather than in the gateway because filters go through the filter language,
 * which the gateway's layer may not import; the gateway routes `/api/logs` here like any
 * other `/api/*` path.
 */
@Controller('api/logs')
@UseGuards(SuperuserGuard)
export class LogsController {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  @Get()
  list(@Query() query: Record<string, string | undefined>) {
    return listLogs(this.pool, query);
  }

  @Get('stats')
  async stats(@Query('filter') filter: unknown): Promise<LogsStatsItem[]> {
    return logsStats(this.pool, typeof filter === 'string' ? filter : '');
  }

  @Get(':id')
  async view(@Param('id') id: string): Promise<LogJson> {
    const log = await findLog(this.pool, id);
    if (!log) throw new ApiError(404);
    return log;
  }

  @Delete()
  @HttpCode(204)
  async truncate(): Promise<void> {
    await truncateLogs(this.pool);
  }
}
