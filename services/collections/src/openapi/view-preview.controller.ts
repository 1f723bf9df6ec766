import { PG_POOL } from '@hivebase/platform';
import { BODY_POLICIES, BodyErrors, SchemaRegistry, SuperuserGuard } from '@hivebase/runtime';
import {
  fieldToJson,
  inferViewFields,
  normalizeViewQuery,
  sanitizePgMessage,
  VIEW_PROBE_TIMEOUT_MS,
  ViewQueryError,
} from '@hivebase/schema';
import { Body, Controller, HttpCode, Inject, Post, UseGuards } from '@nestjs/common';
import type { Pool } from 'pg';
import { CollectionsError } from '../collections.errors';

/** How many rows a preview shows. */
export const VIEW_PREVIEW_ROWS = 10;

const failed = (message: string) =>
  new CollectionsError('collections_view_preview_failed', {
    query: { code: 'validation_invalid_view_query', message },
  });

/**
 * `POST /api/collections/meta/view-preview` `{query}` → the fields a view collection with that
 * query would get and its first rows, for the dashboard's live preview (PocketBase has no such
 * route). Superusers only. The query passes the same guards as a view's (one read-only SELECT,
 * run as a subquery over the extended protocol) inside a read-only transaction with the view
 * probe's statement timeout, which is rolled back.
 */
@Controller('api/collections/meta')
@UseGuards(SuperuserGuard)
export class ViewPreviewController {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
  ) {}

  @BodyErrors(BODY_POLICIES.loadFailed)
  @Post('view-preview')
  @HttpCode(200)
  async preview(@Body() body: unknown): Promise<{ fields: unknown[]; items: Record<string, unknown>[] }> {
    const raw = (body as { query?: unknown } | null)?.query;
    if (typeof raw !== 'string' || raw.trim() === '') {
      throw new CollectionsError('collections_view_preview_failed', {
        query: { code: 'validation_required', message: 'Cannot be blank.' },
      });
    }
    let query: string;
    try {
      query = normalizeViewQuery(raw);
    } catch (error) {
      if (error instanceof ViewQueryError) throw failed(error.toFieldError().message);
      throw error;
    }
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN READ ONLY');
      await client.query(`SET LOCAL statement_timeout = ${VIEW_PROBE_TIMEOUT_MS}`);
      const fields = await inferViewFields(client, query, this.registry);
      const rows = await client.query({
        text: `SELECT * FROM (\n${query}\n) AS hb_view_preview LIMIT $1`,
        values: [VIEW_PREVIEW_ROWS],
      });
      return { fields: fields.map(fieldToJson), items: rows.rows };
    } catch (error) {
      if (error instanceof ViewQueryError) throw failed(error.toFieldError().message);
      const code = (error as { code?: unknown }).code;
      // Postgres' own complaints about the query (syntax, names, types, timeout): the user's to fix.
      if (typeof code === 'string' && /^(42|22|57014)/.test(code)) {
        throw failed(`Invalid query - ${sanitizePgMessage((error as Error).message)}`);
      }
      throw error;
    } finally {
      await client.query('ROLLBACK').catch(() => undefined);
      client.release();
    }
  }
}
