import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));
const hub = process.env['VIGIL_HUB_URL'] ?? 'http://127.0.0.1:3030';

/**
 * The dashboard's build: `web/` in, `dist/web/` out (index.html and hashed assets under
 * `assets/`), served by `vigil serve`. Nothing inline: the hub's CSP allows only same-origin
 * scripts and styles. `npm run dev:web` proxies the API and streams to a running hub
 * (VIGIL_HUB_URL, default http://127.0.0.1:3030).
 */
export default defineConfig({
  root,
  base: '/',
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    assetsDir: 'assets',
    target: 'es2022',
    sourcemap: false,
    // The preload polyfill would be an inline script; every supported browser preloads modules.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    reportCompressedSize: true,
  },
  server: {
    proxy: {
      '/api': { target: hub, changeOrigin: true },
      '/healthz': { target: hub, changeOrigin: true },
      '/ws': { target: hub.replace(/^http/, 'ws'), ws: true, changeOrigin: true },
    },
  },
});
