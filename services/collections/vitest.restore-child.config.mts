// Runs only the restore child of test/backup-restore-kill.test.ts (a real process the test
// SIGKILLs mid-restore); never part of the package's own test run.
import { packageTestConfig } from '../../vitest.shared.mts';

export default packageTestConfig(import.meta.dirname, {
  include: ['test/support/restore-child.fixture.ts'],
  pool: 'forks',
  globalSetup: [],
  testTimeout: 120_000,
});
