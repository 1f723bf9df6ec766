import type { Pool, PoolClient } from 'pg';
import { defaultSettings, type Settings } from './settings.model';
import { settingsFromStored } from './settings-merge';

/** `_params` row that holds the document, as in PocketBase. */
export const SETTINGS_PARAM_ID = 'settings';

type Queryable = Pick<Pool, 'query'> | Pick<PoolClient, 'query'>;

export interface StoredSettings {
  settings: Settings;
  /** `_params.updated` (ISO 8601), `''` while nothing was saved: compare to tell a stale cache. */
  updated: string;
}

interface ParamsRow {
  value: unknown;
  updated: Date;
}

/** The stored document over PocketBase's defaults (defaults alone while none was saved). */
export async function loadSettings(db: Queryable, options: { forUpdate?: boolean } = {}): Promise<StoredSettings> {
  const { rows } = await db.query<ParamsRow>(
    `SELECT value, updated FROM "_params" WHERE id = $1${options.forUpdate ? ' FOR UPDATE' : ''}`,
    [SETTINGS_PARAM_ID],
  );
  if (rows.length === 0) return { settings: defaultSettings(), updated: '' };
  return { settings: settingsFromStored(rows[0].value), updated: rows[0].updated.toISOString() };
}

/** When the document was last saved (`''` if never): the cheap staleness check. */
export async function settingsVersion(db: Queryable): Promise<string> {
  const { rows } = await db.query<{ updated: Date }>('SELECT updated FROM "_params" WHERE id = $1', [
    SETTINGS_PARAM_ID,
  ]);
  return rows[0]?.updated.toISOString() ?? '';
}

/** Writes the whole document (secrets included); returns its new `updated`. */
export async function saveSettings(db: Queryable, settings: Settings): Promise<string> {
  const { rows } = await db.query<{ updated: Date }>(
    `INSERT INTO "_params" (id, value) VALUES ($1, $2)
     ON CONFLICT (id) DO UPDATE SET value = EXCLUDED.value, updated = clock_timestamp()
     RETURNING updated`,
    [SETTINGS_PARAM_ID, JSON.stringify(settings)],
  );
  return rows[0].updated.toISOString();
}

/**
 * Read-modify-write under a row lock, so two concurrent PATCHes never lose each other's keys:
 * `change` sees the committed document and returns the next one (or throws to abort).
 */
export async function updateSettings(
  pool: Pool,
  change: (current: Settings) => Settings | Promise<Settings>,
): Promise<StoredSettings> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    // The row must exist for FOR UPDATE to lock it; a first save creates it with the defaults.
    await client.query(`INSERT INTO "_params" (id, value) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [
      SETTINGS_PARAM_ID,
      JSON.stringify(defaultSettings()),
    ]);
    const current = await loadSettings(client, { forUpdate: true });
    const next = await change(current.settings);
    const updated = await saveSettings(client, next);
    await client.query('COMMIT');
    return { settings: next, updated };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
