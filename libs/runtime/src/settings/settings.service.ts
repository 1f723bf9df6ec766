import { ApiError, EVENT_BUS, type EventBus, PG_POOL, ReplicatedSnapshot } from '@hivebase/platform';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { defaultSettings, type ReadonlySettings, SETTINGS_CHANGED, type SettingsChangedEvent } from './settings.model';
import { mergeSettings } from './settings-merge';
import { loadSettings, settingsVersion, updateSettings } from './settings-store';
import { validateSettings } from './settings-validate';

/** How often a replica compares its copy with the database's (covers a missed event). */
const VERSION_CHECK_MS = 5_000;

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

/**
 * This process's copy of the settings document. `get()` is synchronous and cheap, so request
 * paths (batch limits, rate limits, trusted proxies…) read it freely. A save anywhere publishes
 * `settings.changed`; every replica then reloads from `_params`, and a periodic version check
 * catches a missed event.
 */
@Injectable()
export class SettingsService implements OnModuleInit, OnApplicationShutdown {
  private readonly snapshot: ReplicatedSnapshot<ReadonlySettings>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) bus: EventBus,
  ) {
    this.snapshot = new ReplicatedSnapshot<ReadonlySettings>(
      {
        name: SettingsService.name,
        bus,
        event: SETTINGS_CHANGED,
        load: async () => {
          const stored = await loadSettings(pool);
          return { value: deepFreeze(stored.settings), version: stored.updated };
        },
        version: () => settingsVersion(pool),
        checkEveryMs: VERSION_CHECK_MS,
      },
      deepFreeze(defaultSettings()),
    );
  }

  async onModuleInit(): Promise<void> {
    await this.snapshot.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.snapshot.stop();
  }

  /** The current document, secrets included (frozen: copy it to change it). */
  get(): ReadonlySettings {
    return this.snapshot.value;
  }

  reload(): Promise<void> {
    return this.snapshot.reload();
  }

  /** Reloads unless this copy is at `version` (`_params.updated` as ISO text, `''` if never saved). */
  ensureVersion(version: string): Promise<void> {
    return this.snapshot.ensureVersion(version);
  }

  /**
   * PATCH semantics: deep-merges `patch` over the stored document, validates, saves, then tells
   * every replica. A value of the wrong type or an invalid document is a PocketBase 400.
   */
  async update(patch: unknown): Promise<ReadonlySettings> {
    const saved = await updateSettings(this.pool, (stored) => {
      const merged = mergeSettings(stored, patch);
      if (!merged.ok) throw new ApiError(400, 'An error occurred while loading the submitted data.', merged.errors);
      const problems = validateSettings(merged.settings);
      if (Object.keys(problems).length > 0) {
        throw new ApiError(400, 'An error occurred while saving the new settings.', problems);
      }
      return merged.settings;
    });
    this.snapshot.set(deepFreeze(saved.settings), saved.updated);
    await this.snapshot.publish<SettingsChangedEvent>({ updated: saved.updated });
    return this.snapshot.value;
  }
}
