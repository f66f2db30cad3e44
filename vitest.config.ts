import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

const env = { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TZ: 'Asia/Shanghai' };

export default defineConfig({
  test: {
    projects: [
      {
        // The mini-program's pure modules (lib/key-seed, lib/campus-code) run against the platform too.
        resolve: { alias: [{ find: /^@shared\//, replacement: `${resolve(import.meta.dirname, 'shared')}/` }] },
        test: {
          name: 'platform',
          include: ['tests/**/*.test.ts'],
          exclude: ['tests/e2e/**'],
          // One DynamoDB Local (in memory, free port) for the whole run; each test file makes its own table.
          globalSetup: ['tests/global-setup.ts'],
          setupFiles: ['tests/network-guard.ts', 'tests/setup.ts'],
          testTimeout: 30_000,
          hookTimeout: 60_000,
          env,
        },
      },
      {
        // The mini-program's logic and components, in jsdom, with Taro's H5 components and API.
        resolve: {
          alias: [
            { find: /^@shared\//, replacement: `${resolve(import.meta.dirname, 'shared')}/` },
            // Exact names only: Taro's React components import '@tarojs/components/lib/react' themselves.
            { find: /^@tarojs\/components$/, replacement: resolve(import.meta.dirname, 'miniapp/node_modules/@tarojs/components-react') },
            { find: /^@tarojs\/taro$/, replacement: resolve(import.meta.dirname, 'miniapp/tests/taro-shim.ts') },
          ],
        },
        define: {
          'process.env.TARO_ENV': JSON.stringify('h5'),
          ECARD_API_BASE: JSON.stringify(''),
          ECARD_LOCAL_CASHIER: 'true',
          // What Taro's build defines for its runtime.
          ...Object.fromEntries(
            ['ADJACENT_HTML', 'CLONE_NODE', 'CONTAINS', 'INNER_HTML', 'MUTATION_OBSERVER', 'SIZE_APIS', 'TEMPLATE_CONTENT'].map((name) => [`ENABLE_${name}`, 'true']),
          ),
          DEPRECATED_ADAPTER_COMPONENT: 'false',
        },
        test: {
          name: 'miniapp',
          include: ['miniapp/tests/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          setupFiles: ['tests/network-guard.ts'],
          env,
        },
      },
      {
        // The web apps' components (web/pos, web/console) in jsdom with React 19 and Ant Design from web/node_modules.
        resolve: { alias: [{ find: /^@shared\//, replacement: `${resolve(import.meta.dirname, 'shared')}/` }] },
        test: {
          name: 'web',
          include: ['web/*/tests/**/*.test.{ts,tsx}'],
          environment: 'jsdom',
          testTimeout: 30_000,
          setupFiles: ['tests/network-guard.ts', 'web/pos/tests/setup.ts'],
          env,
        },
      },
      {
        // The H5 build in headless Chromium against the whole local stack (npm run test:e2e).
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          globalSetup: ['tests/global-setup.ts'],
          setupFiles: ['tests/setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 120_000,
          env,
        },
      },
    ],
  },
});
