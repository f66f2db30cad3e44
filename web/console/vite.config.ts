// The card centre's console: served at /console/ (by `npm start` locally, by S3 + CloudFront on AWS).
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = import.meta.dirname;

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react()],
  resolve: { alias: { '@shared': resolve(root, '../../shared') } },
  build: {
    outDir: resolve(root, '../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { fs: { allow: [resolve(root, '../..')] }, proxy: { '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000', '/__fake': 'http://127.0.0.1:3000' } },
});
