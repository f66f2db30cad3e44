// The card centre's console: served at /console/ (by `npm start` locally, by S3 + CloudFront on AWS).
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig, transformWithEsbuild, type Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * src/prefetch.ts, compiled and inlined as a classic script at the top of index.html: it runs while
 * the parser is still there, before any module has been fetched (Vite would merge a second module
 * entry into the main one, which is what it must not wait for).
 */
function inlinePrefetch(file: string): Plugin {
  return {
    name: 'inline-prefetch',
    transformIndexHtml: {
      order: 'pre',
      async handler() {
        const { code } = await transformWithEsbuild(readFileSync(file, 'utf8'), file, { loader: 'ts', format: 'iife', minify: true, target: 'es2020' });
        return [{ tag: 'script', children: code, injectTo: 'head' as const }];
      },
    },
  };
}

/**
 * The dashboard is the home screen: its chunk (and what it imports) is preloaded from index.html,
 * fetched and compiled while the entry is, instead of asked for only once the entry has run. The
 * other screens stay on demand.
 */
function preloadHome(screen: string): Plugin {
  return {
    name: 'preload-home-screen',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(_html, context) {
        const bundle = context.bundle ?? {};
        const chunks = Object.values(bundle).filter((output) => output.type === 'chunk');
        const home = chunks.find((chunk) => chunk.facadeModuleId?.endsWith(screen));
        if (!home) throw new Error(`no chunk for the home screen ${screen}`);
        const files = new Set<string>();
        const visit = (file: string) => {
          if (files.has(file)) return;
          files.add(file);
          for (const imported of chunks.find((chunk) => chunk.fileName === file)?.imports ?? []) visit(imported);
        };
        visit(home.fileName);
        return [...files].map((file) => ({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `/console/${file}` }, injectTo: 'head' as const }));
      },
    },
  };
}

export default defineConfig({
  root,
  base: '/console/',
  plugins: [react(), inlinePrefetch(resolve(root, 'src/prefetch.ts')), preloadHome('/src/screens/Dashboard.tsx')],
  resolve: { alias: { '@shared': resolve(root, '../../shared') } },
  build: {
    outDir: resolve(root, '../dist/console'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 1500,
  },
  server: { fs: { allow: [resolve(root, '../..')] }, proxy: { '/v1': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000', '/__fake': 'http://127.0.0.1:3000' } },
});
