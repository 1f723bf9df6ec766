import { CreateParams1764000000000 } from './1764000000000-create-params';
import { CreateCollections1764000000001 } from './1764000000001-create-collections';
import { CreateOutbox1764000000002 } from './1764000000002-create-outbox';
import { AddCollectionRowid1764000000003 } from './1764000000003-add-collection-rowid';
import { CreateLogs1764000000004 } from './1764000000004-create-logs';

/** System-table migrations in the order they run. Append new ones; never edit a shipped one. */
export const SYSTEM_MIGRATIONS = [
  CreateParams1764000000000,
  CreateCollections1764000000001,
  CreateOutbox1764000000002,
  AddCollectionRowid1764000000003,
  CreateLogs1764000000004,
];
