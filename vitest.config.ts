import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    // One DynamoDB Local (in memory, free port) for the whole run; each test file makes its own table.
    globalSetup: ['tests/global-setup.ts'],
    setupFiles: ['tests/network-guard.ts', 'tests/setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: 'silent', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', TZ: 'Asia/Shanghai' },
  },
});
