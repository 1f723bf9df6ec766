import { packageTestConfig } from '../../vitest.shared.mts';

// A load benchmark, not a test: one file, its own database, no global setup, outside `npm test`.
export default packageTestConfig(import.meta.dirname, {
  include: ['realtime.load.ts'],
  globalSetup: [],
  fileParallelism: false,
  testTimeout: 30 * 60_000,
  hookTimeout: 2 * 60_000,
});
