import { packageTestConfig } from '../../vitest.shared.mts';

// A load benchmark, not a test: `npm run bench:logging` (about 4 minutes on 2 cores).
export default packageTestConfig(import.meta.dirname, {
  include: ['logging.load.ts'],
  globalSetup: [],
  fileParallelism: false,
  testTimeout: 20 * 60_000,
  hookTimeout: 2 * 60_000,
});
