import { packageTestConfig } from '../../vitest.shared.mts';

// A load benchmark, not a test: one file, its own database, no global setup, and a budget of
// a few minutes (it stops by itself well before the timeout).
export default packageTestConfig(import.meta.dirname, {
  include: ['files.load.ts'],
  globalSetup: [],
  fileParallelism: false,
  testTimeout: 15 * 60_000,
  hookTimeout: 2 * 60_000,
});
