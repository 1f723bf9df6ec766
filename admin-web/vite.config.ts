import { defineConfig } from 'vite';

// The dashboard lives at /_/ on the server that serves the API (standalone app or gateway).
export default defineConfig({
  base: '/_/',
  oxc: { jsx: { runtime: 'automatic' } },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    rolldownOptions: {
      // Mantine marks its modules "use client" for React Server Components; a SPA bundle drops it.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  // `npx vite` in this folder: the API of a server already running on 8090.
  server: { proxy: { '/api': 'http://127.0.0.1:8090' } },
});
