import { packageTestConfig } from '../vitest.shared.mts';

// Black-box tests spawn whole deployments: one file at a time keeps a 2-core machine responsive.
export default packageTestConfig(import.meta.dirname, {
  include: ['src/**/*.test.ts'],
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 120_000,
});
