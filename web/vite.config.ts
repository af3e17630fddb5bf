import { defineConfig } from 'vite';
import solid from 'vite-plugin-solid';

// The dashboard is served by the backplane at `/` of the `npm start` origin; in development Vite
// serves it and forwards the API and the live socket to a running `npm start` (default port 8787).
const root = decodeURIComponent(new URL('.', import.meta.url).pathname);
const backend = `http://127.0.0.1:${process.env.PORT ?? '8787'}`;

export default defineConfig({
  root,
  base: '/',
  plugins: [solid()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // No source maps in the served build: they would publish the dashboard's sources to anyone
    // who can load the page (the Vite dev server, `npm run dev -w web`, has them).
    sourcemap: false,
    rollupOptions: {
      // core/ is pure: declaring it free of side effects lets the bundle drop the parts the
      // dashboard does not import (schemas, the feature engine) instead of keeping their top level.
      treeshake: { moduleSideEffects: (id) => !/[\\/]core[\\/]src[\\/]/.test(id) },
    },
  },
  server: {
    host: '127.0.0.1',
    proxy: {
      '/api': { target: backend, changeOrigin: false },
      '/v1/live': { target: backend, ws: true, changeOrigin: false },
    },
  },
});
