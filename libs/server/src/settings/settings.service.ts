import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { EVENT_BUS, type EventBus } from '../bus/event-bus';
import { PG_POOL } from '../database/database.module';
import { ApiError } from '../errors/api-error';
import {
  defaultSettings,
  type ReadonlySettings,
  SETTINGS_CHANGED,
  type Settings,
  type SettingsChangedEvent,
} from './settings.model';
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
  private readonly logger = new Logger(SettingsService.name);
  private current: ReadonlySettings = deepFreeze(defaultSettings());
  private version = '';
  private timer?: NodeJS.Timeout;
  private unsubscribe?: () => Promise<void>;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reload();
    this.unsubscribe = await this.bus.subscribe<SettingsChangedEvent>(SETTINGS_CHANGED, () => this.reload());
    this.timer = setInterval(() => void this.reloadIfStale(), VERSION_CHECK_MS);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.unsubscribe?.();
  }

  /** The current document, secrets included (frozen: copy it to change it). */
  get(): ReadonlySettings {
    return this.current;
  }

  async reload(): Promise<void> {
    const stored = await loadSettings(this.pool);
    this.set(stored.settings, stored.updated);
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
    this.set(saved.settings, saved.updated);
    await this.bus.publish<SettingsChangedEvent>(SETTINGS_CHANGED, { updated: saved.updated });
    return this.current;
  }

  private set(settings: Settings, version: string): void {
    this.current = deepFreeze(settings);
    this.version = version;
  }

  private async reloadIfStale(): Promise<void> {
    try {
      if ((await settingsVersion(this.pool)) !== this.version) await this.reload();
    } catch (error) {
      this.logger.warn({ err: error }, 'settings version check failed');
    }
  }
}
