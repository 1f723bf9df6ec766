import { CreateParams1764000000000 } from './1764000000000-create-params';

/** System-table migrations in the order they run. Append new ones; never edit a shipped one. */
export const SYSTEM_MIGRATIONS = [CreateParams1764000000000];
