import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BACKUP_RESTORED,
  type BackupRestoredEvent,
  type FieldError,
  isUploadedFile,
  SCHEMA_CHANGED,
  SETTINGS_CHANGED,
  type UploadedFile,
} from '@hivebase/contracts';
import { APP_CONFIG, type BaseConfig, EVENT_BUS, type EventBus, PG_POOL } from '@hivebase/platform';
import {
  ACTIVE_BACKUP,
  type ActiveBackup,
  RequestAuthenticator,
  SchemaRegistry,
  SettingsService,
  SettingsStorageDriver,
  STORAGE_DRIVER,
} from '@hivebase/runtime';
import { nowDateTime } from '@hivebase/schema';
import { LocalStorageDriver, type StorageDriver, type StoredObject } from '@hivebase/storage';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { DatabaseError, type Pool } from 'pg';
import { inspectZip } from './backup-archive';
import { InvalidBackupError } from './backup-manifest';
import { AUTO_BACKUP_PREFIX, BACKUP_NAME_PATTERN, generateBackupName, isBackupKey } from './backup-names';
import { restoreBackup } from './backup-restore';
import { writeBackup } from './backup-writer';
import { BackupsError } from './backups.errors';

/** One backup as `GET /api/backups` lists it. */
export interface BackupFileInfo {
  key: string;
  size: number;
  /** PocketBase's date format. */
  modified: string;
}

/** The directory local backups use: `HB_BACKUPS_DIR`, else `<HB_DIR>/backups`. */
export const backupsDirOf = (config: BaseConfig): string => config.backupsDir ?? join(config.dataDir, 'backups');

const ZIP_SIGNATURES = ['504b0304', '504b0506', '504b0708'];

/**
 * PocketBase's backups: zips of the whole database and every stored file in the backups storage
 * (a local directory, or `settings.backups.s3`). One backup or restore at a time across every
 * replica (`ActiveBackup`); a restore replaces the database in one transaction, then tells every
 * replica to reload the schema and settings and to forget cached auth records.
 */
@Injectable()
export class BackupsService {
  private readonly logger = new Logger('Backups');
  /** Where the backup zips live. */
  readonly storage: StorageDriver;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(STORAGE_DRIVER) private readonly files: StorageDriver,
    @Inject(SettingsService) private readonly settings: SettingsService,
    @Inject(SchemaRegistry) private readonly registry: SchemaRegistry,
    @Inject(RequestAuthenticator) private readonly authenticator: RequestAuthenticator,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    @Inject(ACTIVE_BACKUP) private readonly active: ActiveBackup,
    @Inject(APP_CONFIG) config: BaseConfig,
  ) {
    this.storage = new SettingsStorageDriver(
      new LocalStorageDriver(backupsDirOf(config)),
      () => settings.get().backups.s3,
    );
  }

  async list(): Promise<BackupFileInfo[]> {
    let objects: (StoredObject | null)[];
    try {
      const keys = await this.storage.list('');
      objects = await Promise.all(keys.map((key) => this.storage.stat(key)));
    } catch (error) {
      throw new BackupsError('backups_list_failed', {}, { params: { reason: messageOf(error) }, cause: error });
    }
    return objects
      .filter((object): object is StoredObject => object !== null)
      .map((object) => ({ key: object.key, size: object.size, modified: nowDateTime(object.modified) }));
  }

  /** `POST /api/backups` `{name?}`: 204 once the zip is stored. */
  async create(body: unknown): Promise<void> {
    if ((await this.active.current()) !== null) throw new BackupsError('backups_create_busy');
    const name = await this.validName(body);
    await this.createNamed(name ?? generateBackupName(this.settings.get().meta.appName, 'pb_backup_'));
  }

  /** Creates `name` under the lock; a second concurrent caller gets the busy refusal. */
  async createNamed(name: string): Promise<void> {
    const lock = await this.active.acquire(name);
    if (!lock) throw new BackupsError('backups_create_busy');
    try {
      await writeBackup({ pool: this.pool, files: this.files, target: this.storage, key: name });
      this.logger.log({ name }, 'backup created');
    } catch (error) {
      this.logger.error({ name, err: error }, 'backup failed');
      throw new BackupsError('backups_create_failed', {}, { cause: error });
    } finally {
      await lock.release();
    }
  }

  private async validName(body: unknown): Promise<string | undefined> {
    if (body !== undefined && body !== null && (typeof body !== 'object' || Array.isArray(body))) {
      throw new BackupsError('backups_load_failed');
    }
    const raw = (body as Record<string, unknown> | null | undefined)?.name;
    if (raw === undefined || raw === null || raw === '') return undefined;
    if (typeof raw !== 'string') throw new BackupsError('backups_load_failed');
    let error: FieldError | undefined;
    if (raw.length > 150)
      error = { code: 'validation_length_out_of_range', message: 'The length must be between 1 and 150.' };
    else if (!BACKUP_NAME_PATTERN.test(raw))
      error = { code: 'validation_match_invalid', message: 'Must be in a valid format.' };
    else if (await this.exists(raw)) {
      error = { code: 'validation_backup_name_exists', message: 'The backup file name is invalid or already exists.' };
    }
    if (error) throw new BackupsError('backups_validation_failed', { name: error });
    return raw;
  }

  /** `POST /api/backups/upload` (multipart `file`): a zip stored under its original name. */
  async upload(body: unknown): Promise<void> {
    const sent = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).file : undefined;
    const file = (Array.isArray(sent) ? sent : [sent]).find(isUploadedFile);
    const problem = file
      ? await this.uploadProblem(file)
      : { code: 'validation_required', message: 'Cannot be blank.' };
    if (problem || !file) throw new BackupsError('backups_validation_failed', { file: problem ?? {} });
    try {
      await this.storage.put(file.originalName, createReadStream(file.path), {
        contentType: 'application/zip',
        size: file.size,
      });
    } catch (error) {
      throw new BackupsError('backups_upload_failed', {}, { cause: error });
    }
  }

  private async uploadProblem(file: UploadedFile): Promise<FieldError | undefined> {
    if (!ZIP_SIGNATURES.includes(await headHex(file.path))) {
      return {
        code: 'validation_invalid_mime_type',
        message: `${JSON.stringify(file.name)} mime type must be one of: application/zip.`,
      };
    }
    if (!isBackupKey(file.originalName)) {
      return { code: 'validation_invalid_backup_name', message: 'The backup file name is invalid.' };
    }
    try {
      await inspectZip(file.path);
    } catch (error) {
      if (!(error instanceof InvalidBackupError)) throw error;
      return { code: 'validation_invalid_backup', message: `Invalid backup archive: ${error.message}.` };
    }
    if (await this.exists(file.originalName)) {
      return { code: 'validation_backup_name_exists', message: 'Backup file with the specified name already exists.' };
    }
    return undefined;
  }

  /** The zip's bytes for `GET /api/backups/{key}`; the caller checked the token. */
  async download(key: string): Promise<{ object: StoredObject; body: Readable }> {
    const found = isBackupKey(key) ? await this.storage.get(key) : null;
    if (!found) throw new BackupsError('backups_download_missing');
    return found;
  }

  async delete(key: string): Promise<void> {
    if (key !== '' && (await this.active.current()) === key) throw new BackupsError('backups_delete_active');
    if (!(await this.exists(key))) {
      throw new BackupsError('backups_delete_missing', {}, { params: { reason: `${key}: no such backup` } });
    }
    await this.storage.delete(key);
  }

  /**
   * `POST /api/backups/{key}/restore`: answered once the restore committed (PocketBase answers
   * first and restarts; Hivebase has no restart to wait for). A bad archive is a 400 with
   * nothing changed.
   */
  async restore(key: string): Promise<void> {
    if ((await this.active.current()) !== null) throw new BackupsError('backups_restore_busy');
    if (!(await this.exists(key))) throw new BackupsError('backups_restore_missing');
    const lock = await this.active.acquire(key);
    if (!lock) throw new BackupsError('backups_restore_busy');
    const dir = await mkdtemp(join(tmpdir(), 'hb-restore-'));
    try {
      const found = await this.storage.get(key);
      if (!found) throw new BackupsError('backups_restore_missing');
      const archivePath = join(dir, 'backup.zip');
      await pipeline(found.body, createWriteStream(archivePath));
      await restoreBackup({
        pool: this.pool,
        files: this.files,
        archivePath,
        onStep: (step) => this.logger.debug({ key, step }, 'restore'),
      });
      this.logger.log({ key }, 'backup restored');
    } catch (error) {
      if (error instanceof InvalidBackupError || error instanceof DatabaseError) {
        this.logger.warn({ key, err: error }, 'restore refused');
        throw new BackupsError('backups_restore_invalid', {}, { params: { reason: error.message }, cause: error });
      }
      throw error;
    } finally {
      await lock.release();
      await rm(dir, { recursive: true, force: true });
    }
    await this.reloadEverywhere(key);
  }

  /** Every replica (this one first) reloads the schema and settings and forgets cached auth records. */
  private async reloadEverywhere(key: string): Promise<void> {
    this.authenticator.forgetAll();
    await this.registry.reload();
    await this.settings.reload();
    await this.bus.publish(SCHEMA_CHANGED, { version: '' });
    await this.bus.publish(SETTINGS_CHANGED, {});
    await this.bus.publish<BackupRestoredEvent>(BACKUP_RESTORED, { name: key });
  }

  /** PocketBase's auto-backup cron job: a new `@auto_pb_backup_…` zip, then the oldest beyond `cronMaxKeep` go. */
  async runAutoBackup(): Promise<void> {
    const name = generateBackupName(this.settings.get().meta.appName, AUTO_BACKUP_PREFIX);
    try {
      await this.createNamed(name);
    } catch (error) {
      this.logger.error({ name, err: error }, 'automatic backup failed');
    }
    const maxKeep = this.settings.get().backups.cronMaxKeep;
    if (maxKeep <= 0) return;
    const autos = (await Promise.all((await this.storage.list(AUTO_BACKUP_PREFIX)).map((k) => this.storage.stat(k))))
      .filter((object): object is StoredObject => object !== null)
      .sort((a, b) => b.modified.getTime() - a.modified.getTime() || b.key.localeCompare(a.key));
    for (const old of autos.slice(maxKeep)) {
      try {
        await this.storage.delete(old.key);
      } catch (error) {
        this.logger.error({ key: old.key, err: error }, 'failed to remove an old automatic backup');
      }
    }
  }

  private async exists(key: string): Promise<boolean> {
    return isBackupKey(key) && (await this.storage.stat(key)) !== null;
  }
}

async function headHex(path: string): Promise<string> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return head.subarray(0, bytesRead).toString('hex');
  } finally {
    await handle.close();
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
