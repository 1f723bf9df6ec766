import { defineConfig } from 'vitest/config';

// Unit tests of the dashboard's pure helpers; the browser flows are e2e/src/dashboard.
export default defineConfig({
  test: { name: 'admin-web', include: ['src/**/*.test.ts', 'tools/**/*.test.ts'], environment: 'node' },
});
