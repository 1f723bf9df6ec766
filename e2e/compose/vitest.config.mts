import { defineConfig } from 'vitest/config';

// The compose suite (`npm run test:compose`): one file, steps in order, Docker doing the work.
// Not part of `npm test` (e2e/vitest.config.mts includes src/ only): it builds images and runs
// the whole stack, so CI gives it its own step and time budget after `npm test`.
export default defineConfig({
  test: {
    name: 'compose',
    root: import.meta.dirname,
    include: ['**/*.e2e.test.ts'],
    fileParallelism: false,
    sequence: { concurrent: false },
    reporters: ['verbose'],
    testTimeout: 15 * 60_000,
    hookTimeout: 45 * 60_000,
    // A failed step leaves the stack in a state the next steps cannot use.
    bail: 1,
  },
});
