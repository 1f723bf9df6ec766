import { packageTestConfig } from '../../vitest.shared.mts';

// A measurement, not a test: `npm run bench:footprint` (about 3 minutes on 2 cores).
export default packageTestConfig(import.meta.dirname, {
  include: ['footprint.load.ts'],
  globalSetup: [],
  fileParallelism: false,
  testTimeout: 20 * 60_000,
  hookTimeout: 2 * 60_000,
});
