import { packageTestConfig } from '../vitest.shared.mts';

// Benchmarks need no database: no global setup, only *.bench.ts files.
export default packageTestConfig(import.meta.dirname, {
  include: [],
  globalSetup: [],
  benchmark: { include: ['**/*.bench.ts'] },
});
