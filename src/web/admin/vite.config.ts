/**
 * Vite build of the IVR flow editor. Root is this folder; output goes to `<repo>/dist/admin`,
 * served by the server under `/admin/flows/`. Run from the repo root: `npm run build:web`.
 * `npm exec vite -- --config src/web/admin/vite.config.ts` starts a dev server that proxies
 * `/admin/api` to `HOTLINE_URL` (default http://127.0.0.1:8080).
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = new URL('.', import.meta.url).pathname;
const repoRoot = new URL('../../../', import.meta.url).pathname;

export default defineConfig({
  root: here,
  base: '/admin/flows/',
  plugins: [react()],
  build: {
    outDir: `${repoRoot}dist/admin`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    fs: { allow: [repoRoot] },
    proxy: { '/admin/api': process.env['HOTLINE_URL'] ?? 'http://127.0.0.1:8080' },
  },
});
