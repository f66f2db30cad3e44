/**
 * Taro build configuration for the three targets (weapp, alipay, h5), webpack5 runner.
 * API base: H5 is served by the API itself (same origin, so ''); the mini-programs need an absolute
 * https URL, given at build time as ECARD_API_BASE (default the local API for the devtools).
 */
import path from 'node:path';
import { defineConfig, type UserConfigExport } from '@tarojs/cli';

const target = process.env.TARO_ENV ?? 'h5';
const apiBase = process.env.ECARD_API_BASE ?? (target === 'h5' ? '' : 'http://127.0.0.1:3000');
// The H5 build pays through the local fake platforms; a campus deployment turns it off.
// shared/ (money, QR codec, API contract) lives outside this package: compile it too.
const compile = { include: [path.resolve(__dirname, '..', '..', 'shared')] };
const localCashier = process.env.ECARD_LOCAL_CASHIER ?? (target === 'h5' ? '1' : '0');

export default defineConfig<'webpack5'>(() => {
  const config: UserConfigExport<'webpack5'> = {
    projectName: 'campus-ecard',
    date: '2026-11-23',
    designWidth: 750,
    deviceRatio: { 640: 2.34 / 2, 750: 1, 375: 2, 828: 1.81 / 2 },
    sourceRoot: 'src',
    outputRoot: `dist/${target}`,
    plugins: [],
    defineConstants: {
      ECARD_API_BASE: JSON.stringify(apiBase),
      ECARD_LOCAL_CASHIER: JSON.stringify(localCashier === '1'),
    },
    alias: { '@shared': path.resolve(__dirname, '..', '..', 'shared') },
    framework: 'react',
    compiler: { type: 'webpack5', prebundle: { enable: false } },
    cache: { enable: true },
    mini: {
      compile,
      postcss: {
        pxtransform: { enable: true, config: {} },
        cssModules: { enable: false },
      },
      optimizeMainPackage: { enable: true },
    },
    h5: {
      compile,
      publicPath: '/',
      staticDirectory: 'static',
      router: { mode: 'hash' },
      // Every page uses the money, QR and contract code: load it once, not inside each page's chunk.
      webpackChain(chain) {
        chain.optimization.splitChunks({
          chunks: 'all',
          cacheGroups: {
            shared: { name: 'shared', minChunks: 2, priority: 10, reuseExistingChunk: true, enforce: true },
          },
        });
      },
      postcss: {
        autoprefixer: { enable: true, config: {} },
        cssModules: { enable: false },
      },
    },
  };
  return config;
});
