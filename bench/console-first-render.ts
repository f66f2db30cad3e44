/**
 * Benchmark: the card-centre console's first render. The built console (web/dist/console) on the
 * whole local stack (DynamoDB Local in memory, the demo campus seeded, a few payments at two
 * canteens so every chart has something to draw), in headless Chromium, signed in as the demo
 * administrator. Each load is a fresh browser context (nothing cached: the morning's first open)
 * with the staff session already in sessionStorage; the clock runs from navigation start to the
 * moment the dashboard's figures and every chart's SVG are in the page (a MutationObserver in the
 * page, on the page's own clock). Target: ≤ 1 s. Then the same with a warm cache (a reload), and the
 * size of each chunk of web/dist/console, raw and gzip: what the first load fetches (the entry and
 * its static imports) against each screen's on-demand chunk.
 *
 *   npm run bench:console     (BENCH_LOADS=10, after `npm run build:console`)
 *
 * Figures only: nothing here passes or fails.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { startDynamoDbLocal } from '../functions/local/dynamodb-local';
import { startLocalStack } from '../functions/local/stack';
import { getTerminal } from '../functions/store/terminals';
import { signTerminalRequest } from '../shared/terminal-signature';
import { CONSOLE_DIR, CONSOLE_VIEWPORT, launchChromium } from '../tests/e2e/browser';
import { benchCode, benchHolderWithPhone } from './seed';

const LOADS = Number(process.env.BENCH_LOADS ?? 10);
const SESSION_KEY = 'ecard.console.session';

/** Stamps, on the page's clock, the first moment the dashboard's figures and every chart are drawn. */
const WATCH_FIRST_RENDER = `
  window.__firstRender = undefined;
  const drawn = () => {
    const stat = document.querySelector('[data-testid="stat-turnover"]');
    const charts = [...document.querySelectorAll('[data-testid^="chart-"]')];
    return Boolean(stat && stat.textContent && charts.length >= 3 && charts.every((chart) => chart.dataset.testid.endsWith('-empty') || chart.querySelector('svg path')));
  };
  new MutationObserver(() => {
    if (window.__firstRender === undefined && drawn()) window.__firstRender = performance.now();
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

interface Load {
  firstRender: number;
  dashboardApi: number;
  emptyCharts: number;
  /** When (ms from navigation) the entry script, the dashboard's chunk and its API answer arrived. */
  entryEnd: number;
  dashboardChunkStart: number;
  dashboardChunkEnd: number;
  dashboardApiStart: number;
  dashboardApiEnd: number;
}

async function measure(page: Page, url: string, reload: boolean): Promise<Load> {
  if (reload) await page.reload();
  else await page.goto(url);
  await page.waitForFunction(() => (globalThis as unknown as { __firstRender?: number }).__firstRender !== undefined, undefined, { timeout: 30_000, polling: 50 });
  // Written as a string: this file is type-checked without the DOM's types.
  return page.evaluate(`(() => {
    const resources = performance.getEntriesByType('resource');
    const api = resources.find((entry) => entry.name.includes('/v1/admin/dashboard'));
    const entry = resources.find((entry) => entry.name.includes('/assets/index-') && entry.name.endsWith('.js'));
    const chunk = resources.find((entry) => entry.name.includes('/assets/Dashboard-'));
    return {
      firstRender: window.__firstRender,
      dashboardApi: api ? api.responseEnd - api.startTime : NaN,
      emptyCharts: document.querySelectorAll('[data-testid$="-empty"]').length,
      entryEnd: entry ? entry.responseEnd : NaN,
      dashboardChunkStart: chunk ? chunk.startTime : NaN,
      dashboardChunkEnd: chunk ? chunk.responseEnd : NaN,
      dashboardApiStart: api ? api.startTime : NaN,
      dashboardApiEnd: api ? api.responseEnd : NaN,
    };
  })()`);
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted.length % 2 ? sorted[(sorted.length - 1) / 2]! : (sorted[sorted.length / 2 - 1]! + sorted[sorted.length / 2]!) / 2).toFixed(0);
};

function summary(values: number[]): string {
  return `median ${median(values)} ms  max ${Math.max(...values).toFixed(0)} ms  (n=${values.length})`;
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

/** The chunks index.html loads at once (its entry script, that script's static imports, its CSS) vs the rest, loaded per screen. */
function chunkSizes(): void {
  const assets = join(CONSOLE_DIR, 'assets');
  const html = readFileSync(join(CONSOLE_DIR, 'index.html'), 'utf8');
  const initial = new Set<string>();
  const visit = (file: string) => {
    if (initial.has(file) || !existsSync(join(assets, file))) return;
    initial.add(file);
    if (!file.endsWith('.js')) return;
    const text = readFileSync(join(assets, file), 'utf8');
    // Static imports only: `import(...)` is a screen loaded on demand.
    for (const match of text.matchAll(/(?:^|[;}\s])import\s*(?:[\w$*{}\s,]+from\s*)?["']\.\/([^"']+)["']/g)) visit(match[1]!);
  };
  for (const match of html.matchAll(/(?:src|href)="\/console\/assets\/([^"]+)"/g)) visit(match[1]!);
  const rows = readdirSync(assets)
    .filter((file) => /\.(js|css)$/.test(file))
    .map((file) => {
      const bytes = readFileSync(join(assets, file));
      return { file, raw: bytes.length, gzip: gzipSync(bytes).length, initial: initial.has(file) };
    })
    .sort((a, b) => Number(b.initial) - Number(a.initial) || b.raw - a.raw);
  console.log('\nweb/dist/console chunks (raw / gzip):');
  for (const row of rows) console.log(`  ${row.initial ? 'initial  ' : 'on demand'}  ${row.file.padEnd(28)} ${kb(row.raw).padStart(10)}  ${kb(row.gzip).padStart(9)}`);
  const sum = (list: typeof rows, key: 'raw' | 'gzip') => list.reduce((total, row) => total + row[key], 0);
  const first = rows.filter((row) => row.initial);
  const rest = rows.filter((row) => !row.initial);
  console.log(`  initial load: ${first.length} files, ${kb(sum(first, 'raw'))} raw, ${kb(sum(first, 'gzip'))} gzip`);
  console.log(`  on demand:    ${rest.length} files, ${kb(sum(rest, 'raw'))} raw, ${kb(sum(rest, 'gzip'))} gzip`);
}

async function main(): Promise<void> {
  if (!existsSync(join(CONSOLE_DIR, 'index.html'))) throw new Error('no console build: run `npm run build:console` first');
  process.env.LOG_LEVEL = 'silent';
  process.env.SESSION_SECRET ??= randomBytes(32).toString('base64url');
  process.env.IDENTITY_KEY ??= randomBytes(32).toString('base64url');
  const dynamodb = await startDynamoDbLocal();
  const stack = await startLocalStack({ dynamodbEndpoint: dynamodb.endpoint, stage: `bench${Date.now()}`, port: 0, staticSites: [{ path: '/console/', dir: CONSOLE_DIR }] });
  const browser = await launchChromium();
  try {
    const { deps, url } = stack.platform;
    if (!stack.seed.adminPassword) throw new Error('the seed made no demo administrator');

    // Today's turnover at two canteen windows and the shop, so the merchants chart has bars.
    const now = new Date();
    let paid = 0;
    for (const [n, terminalId] of ['POS-M001-01', 'POS-M001-02', 'POS-M002-01'].entries()) {
      const { secret } = (await getTerminal(deps.db, terminalId))!;
      if (!secret) throw new Error(`${terminalId} has no secret: the seed activates its terminals`);
      const terminal = { terminalId, secret };
      const phone = await benchHolderWithPhone(deps, String(500_000 + n), now);
      for (let i = 0; i < 5; i++) {
        const body = JSON.stringify({ posTxnId: `c${n}-${i}`, token: benchCode(phone, i), amountFen: 100 * (n + 1) + i });
        const headers = signTerminalRequest(terminal, { method: 'POST', path: '/v1/pos/qr-payments', body, now: new Date(), nonce: randomBytes(12).toString('base64url') });
        const response = await fetch(`${url}/v1/pos/qr-payments`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body });
        if (response.status === 200) paid++;
        else await response.text();
      }
    }

    const signIn = await fetch(`${url}/v1/admin/sessions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'admin', password: stack.seed.adminPassword }) });
    if (signIn.status !== 200 && signIn.status !== 201) throw new Error(`sign-in refused: ${signIn.status} ${await signIn.text()}`);
    const session = await signIn.text();
    const target = `${url}/console/dashboard`;
    console.log(`console first render: ${LOADS} cold loads of ${target} (signed in, 1440×900, ${paid} payments today), then ${LOADS} warm reloads ...`);

    const cold: Load[] = [];
    const warm: Load[] = [];
    // One load before counting: Chromium's own first start is not the console's.
    for (let i = -1; i < LOADS; i++) {
      const context = await browser.newContext({ viewport: CONSOLE_VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
      await context.addInitScript(`sessionStorage.setItem(${JSON.stringify(SESSION_KEY)}, ${JSON.stringify(session)})`);
      await context.addInitScript(WATCH_FIRST_RENDER);
      const page = await context.newPage();
      const first = await measure(page, target, false);
      const again = await measure(page, target, true);
      if (i >= 0) {
        cold.push(first);
        warm.push(again);
      }
      await context.close();
    }
    console.log(`first render, cold cache (navigation → figures and charts drawn)  ${summary(cold.map((load) => load.firstRender))}`);
    console.log(`  of which the dashboard API call (fetch in the page)            ${summary(cold.map((load) => load.dashboardApi))}`);
    console.log(`  timeline (median, ms from navigation): entry script loaded ${median(cold.map((l) => l.entryEnd))}, dashboard chunk requested ${median(cold.map((l) => l.dashboardChunkStart))} loaded ${median(cold.map((l) => l.dashboardChunkEnd))}, dashboard API asked ${median(cold.map((l) => l.dashboardApiStart))} answered ${median(cold.map((l) => l.dashboardApiEnd))}, drawn ${median(cold.map((l) => l.firstRender))}`);
    console.log(`first render, warm cache (reload)                                 ${summary(warm.map((load) => load.firstRender))}`);
    console.log(`  charts empty at first render: ${Math.max(...cold.map((load) => load.emptyCharts))}; target ≤ 1000 ms`);
    chunkSizes();
  } finally {
    await browser.close();
    await stack.close();
    await dynamodb.stop();
  }
}

void main().catch((error) => {
  console.error(error);
  process.exit(1);
});
