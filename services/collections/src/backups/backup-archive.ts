import type { Readable } from 'node:stream';
import { crc32 } from 'node:zlib';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import {
  type BackupManifest,
  InvalidBackupError,
  MANIFEST_ENTRY,
  parseManifest,
  STORAGE_PREFIX,
  storageKeyOrThrow,
  TABLE_DATA_PREFIX,
} from './backup-manifest';

/** Entry names past this are refused outright (a zip allows 64 KiB names). */
const MAX_ENTRY_NAME = 1024;
/** The manifest is read into memory: bound it. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;
const TABLE_DATA_ENTRY = new RegExp(`^${TABLE_DATA_PREFIX}\\d+\\.copy$`);

/** A checked backup zip, open for reading its entries again (call `close()`). */
export interface BackupArchive {
  manifest: BackupManifest;
  /** The entry's bytes (inflated); only names the manifest or `storage/` listing vouched for. */
  open(name: string): Promise<Readable>;
  /** The entry's inflated size in bytes (checked against its data when it was read). */
  sizeOf(name: string): number;
  close(): void;
}

const invalid = (message: string, cause?: unknown) => new InvalidBackupError(message, { cause });

function openZip(path: string): Promise<ZipFile> {
  return new Promise((resolve, reject) => {
    // strictFileNames refuses `\`; yauzl itself refuses absolute paths and `..` parts.
    yauzl.open(
      path,
      { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: true },
      (e, z) => (e || !z ? reject(invalid(`not a readable zip: ${e?.message ?? 'unknown error'}`, e)) : resolve(z)),
    );
  });
}

function readEntries(zip: ZipFile): Promise<Entry[]> {
  return new Promise((resolve, reject) => {
    const entries: Entry[] = [];
    zip.on('entry', (entry: Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.once('end', () => resolve(entries));
    zip.once('error', (error: Error) => reject(invalid(`corrupt zip: ${error.message}`, error)));
    zip.readEntry();
  });
}

function openEntry(zip: ZipFile, entry: Entry): Promise<Readable> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (error, stream) =>
      error || !stream ? reject(invalid(`corrupt entry ${entry.fileName}: ${error?.message}`, error)) : resolve(stream),
    );
  });
}

/** Reads an entry to its end, checking its CRC-32 (yauzl checks sizes, not checksums). */
async function checkEntry(zip: ZipFile, entry: Entry, keep = false): Promise<Buffer | undefined> {
  const stream = await openEntry(zip, entry);
  const kept: Buffer[] = [];
  let crc = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      crc = crc32(chunk, crc);
      if (keep) kept.push(chunk);
    }
  } catch (error) {
    throw invalid(`corrupt entry ${entry.fileName}: ${(error as Error).message}`, error);
  }
  if (crc >>> 0 !== entry.crc32 >>> 0) throw invalid(`corrupt entry ${entry.fileName}: checksum mismatch`);
  return keep ? Buffer.concat(kept) : undefined;
}

/**
 * Opens a backup zip and checks all of it before anything is touched: readable structure, only
 * the names a backup has (`manifest.json`, `db/<n>.copy`, `storage/<key>` with a safe key: no
 * `..`, absolute path, backslash or dot-part), no duplicates, a valid manifest whose tables and
 * files are all present, and every entry's bytes against its CRC-32. Any problem is an
 * `InvalidBackupError`.
 */
export async function openBackupArchive(path: string): Promise<BackupArchive> {
  const zip = await openZip(path);
  try {
    const byName = new Map<string, Entry>();
    for (const entry of await readEntries(zip)) {
      const name = entry.fileName;
      if (name.length > MAX_ENTRY_NAME) throw invalid(`entry name too long (${name.length} characters)`);
      if (entry.isEncrypted()) throw invalid(`encrypted entry ${name}`);
      if (name.endsWith('/')) continue; // directory entries carry nothing
      const allowed =
        name === MANIFEST_ENTRY ||
        TABLE_DATA_ENTRY.test(name) ||
        (name.startsWith(STORAGE_PREFIX) && storageKeyOrThrow(name.slice(STORAGE_PREFIX.length)) !== '');
      if (!allowed) throw invalid(`unexpected entry ${name.slice(0, 80)}`);
      if (byName.has(name)) throw invalid(`duplicate entry ${name}`);
      byName.set(name, entry);
    }
    const manifestEntry = byName.get(MANIFEST_ENTRY);
    if (!manifestEntry) throw invalid('missing manifest.json: not a Hivebase backup');
    if (manifestEntry.uncompressedSize > MAX_MANIFEST_BYTES) throw invalid('manifest.json too large');
    let raw: unknown;
    try {
      raw = JSON.parse(((await checkEntry(zip, manifestEntry, true)) ?? Buffer.alloc(0)).toString('utf8'));
    } catch (error) {
      if (error instanceof InvalidBackupError) throw error;
      throw invalid('manifest.json is not JSON', error);
    }
    const manifest = parseManifest(raw);
    for (const table of manifest.tables) {
      if (table.data && !byName.has(table.data)) throw invalid(`missing ${table.data} (rows of ${table.name})`);
    }
    for (const file of manifest.files) {
      if (!byName.has(STORAGE_PREFIX + file.key)) throw invalid(`missing file ${file.key}`);
    }
    for (const [name, entry] of byName) if (name !== MANIFEST_ENTRY) await checkEntry(zip, entry);
    return {
      manifest,
      open: (name) => {
        const entry = byName.get(name);
        return entry ? openEntry(zip, entry) : Promise.reject(invalid(`missing ${name}`));
      },
      sizeOf: (name) => byName.get(name)?.uncompressedSize ?? 0,
      close: () => zip.close(),
    };
  } catch (error) {
    zip.close();
    throw error;
  }
}

/**
 * The light check of an uploaded backup (PocketBase takes any zip there; the full check runs at
 * restore): a readable zip whose entry names are all safe, so a zip-slip archive is refused at
 * the door. Throws `InvalidBackupError`.
 */
export async function inspectZip(path: string): Promise<void> {
  const zip = await openZip(path);
  try {
    for (const entry of await readEntries(zip)) {
      if (entry.fileName.length > MAX_ENTRY_NAME)
        throw invalid(`entry name too long (${entry.fileName.length} characters)`);
    }
  } finally {
    zip.close();
  }
}
