/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { precompress } from './precompress';

// The API the dev server forwards to: a `sundial serve` on its default address.
const backend = process.env.SUNDIAL_DEV_BACKEND ?? 'http://127.0.0.1:8080';

export default defineConfig({
  // The binary serves dist/ as it is, the .br and .gz files to browsers that accept them.
  plugins: [react(), precompress()],
  // The binary embeds dist/ and serves it at `/`.
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd + ProComponents make one large vendor chunk; it is cached, and the Python editor
    // is split off (lazy) because most tasks never need it.
    chunkSizeWarningLimit: 2500,
  },
  server: {
    proxy: {
      '/api': backend,
      '/healthz': backend,
      '/readyz': backend,
    },
  },
  test: {
    include: ['src/**/*.test.ts', 'precompress.test.ts'],
    environment: 'node',
    // A zone with DST, so that tests do not pass only because the machine runs on UTC.
    env: { TZ: 'Europe/Berlin' },
  },
});
