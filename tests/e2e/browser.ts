/**
 * What every end-to-end test shares: Debian's Chromium driven by playwright-core, the local stack
 * serving the built apps (useE2eStack), the phone's and the console's pages, and where screenshots go.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, inject } from 'vitest';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';
import { startLocalStack, type LocalStack } from '../../functions/local/stack';
import { uniqueStage } from '../helpers/platform';

export const H5_DIR = join(PROJECT_ROOT, 'miniapp', 'dist', 'h5');
export const POS_DIR = join(PROJECT_ROOT, 'web', 'dist', 'pos');
export const CONSOLE_DIR = join(PROJECT_ROOT, 'web', 'dist', 'console');
export const ARTIFACTS = join(PROJECT_ROOT, 'test-artifacts', 'e2e');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// Without the background-networking flags Chromium keeps dialling Google, which this machine refuses.
// Autoplay without a gesture: a terminal beeps at a sale, as the kiosk-mode browser on the device does.
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];

/** Fails early, in words, when a build or the browser is missing. */
export function requireBuilt(dir: string, command: string): void {
  if (!existsSync(join(dir, 'index.html'))) throw new Error(`no build in ${dir}: run \`${command}\` (npm run test:e2e does)`);
  if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM}: apt-get install chromium fonts-noto-cjk`);
  mkdirSync(ARTIFACTS, { recursive: true });
}

/** A headless Chromium; `fakeCamera` is a Y4M file the browser's camera shows (getUserMedia without a prompt). */
export function launchChromium(options: { fakeCamera?: string } = {}): Promise<Browser> {
  const camera = options.fakeCamera
    ? ['--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream', `--use-file-for-fake-video-capture=${options.fakeCamera}`]
    : [];
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_ARGS, ...camera] });
}

/** The console's screenshots and benchmark are taken at a desktop monitor's size. */
export const CONSOLE_VIEWPORT = { width: 1440, height: 900 };

/** Signs in on the console's own form (at `${baseUrl}/console/`) and waits for the signed-in shell. */
export async function signInToConsole(page: Page, baseUrl: string, username: string, password: string): Promise<void> {
  await page.goto(`${baseUrl}/console/`);
  await page.getByTestId('sign-in-username').fill(username);
  await page.getByTestId('sign-in-password').fill(password);
  await page.getByTestId('sign-in-submit').click();
  await page.getByTestId('header-user').waitFor({ timeout: 20_000 });
}

/** The built apps an end-to-end file can have the local stack serve, at their deployed paths. */
const SITES = {
  h5: { path: '/', dir: H5_DIR, build: 'npm run build:h5' },
  pos: { path: '/pos/', dir: POS_DIR, build: 'npm run build:pos' },
  console: { path: '/console/', dir: CONSOLE_DIR, build: 'npm run build:console' },
} as const;
export type E2eSite = keyof typeof SITES;

export interface E2eStackOptions {
  /** The holder notifications (the table's stream and its poller): only the files that read them. */
  notifications?: boolean;
  fakeCamera?: string;
}

/**
 * One local stack for a test file, serving the named builds (each must be built), and Chromium: started
 * before the file's tests (its own beforeAll hooks run after this one) and closed after them.
 * `started` hands both to the file's own variables.
 */
export function useE2eStack(sites: E2eSite[], started: (running: { stack: LocalStack; browser: Browser }) => void, options: E2eStackOptions = {}): void {
  let stack: LocalStack | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    for (const site of sites) requireBuilt(SITES[site].dir, SITES[site].build);
    stack = await startLocalStack({
      dynamodbEndpoint: inject('dynamodbEndpoint'),
      stage: uniqueStage(),
      port: 0,
      // The root app last: the more specific paths are matched first.
      staticSites: [...sites].sort((a, b) => SITES[b].path.length - SITES[a].path.length).map((site) => ({ path: SITES[site].path, dir: SITES[site].dir })),
      notifications: options.notifications ?? false,
    });
    browser = await launchChromium(options.fakeCamera ? { fakeCamera: options.fakeCamera } : {});
    started({ stack, browser });
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });
}

/** A phone's page (the mini-program's H5 build), its errors in the test's output. */
export async function newPhonePage(browser: Browser, label = 'phone'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' });
  page.on('pageerror', (error) => console.error(`${label} page error: ${error.message}`));
  return page;
}

/** A console page at a desktop monitor's size, in a context of its own, its errors in the test's output. */
export async function newConsolePage(browser: Browser, label = 'console'): Promise<Page> {
  const page = await (await browser.newContext({ viewport: CONSOLE_VIEWPORT, locale: 'zh-CN', timezoneId: 'Asia/Shanghai' })).newPage();
  page.on('pageerror', (error) => console.error(`${label} page error: ${error.message}`));
  return page;
}

/** A phone page's screenshot once the H5 router's slide-in has settled, written to ARTIFACTS/<name>.png. */
export async function phoneScreenshot(page: Page, name: string): Promise<Buffer> {
  await page.locator('.taro_page_stationed').last().waitFor();
  await page.waitForTimeout(400);
  const png = await page.screenshot({ fullPage: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, `${name}.png`), png);
  return png;
}

/** A demo holder as `npm start` seeds them: what binding asks for. */
export interface BindingHolder {
  account: { personId: string };
  password: string;
  idNumber: string;
  mobile: string;
}

/**
 * Binds the H5 app on this page as the holder (绑定电子校园卡) and waits for the campus code. The form
 * is filled only once it is on screen and settled; if the code never comes, what the phone showed instead is
 * saved as `bind-no-code-<label>.png` before the test fails.
 */
export async function bindInApp(page: Page, baseUrl: string, holder: BindingHolder, label = 'phone'): Promise<void> {
  const ui = (selector: string) => page.locator(selector).filter({ visible: true });
  await page.goto(`${baseUrl}/`);
  await ui('#login-submit').waitFor({ timeout: 20_000 });
  await ui('#to-bind').click();
  await ui('#bind-submit').waitFor();
  // The page slides in: typed before it settles, the text can land in the field it is leaving (an empty form, no code).
  await page.waitForTimeout(400);
  await ui('#field-personId input').fill(holder.account.personId);
  await ui('#field-cardPassword input').fill(holder.password);
  await ui('#field-idNumber input').fill(holder.idNumber);
  await ui('#field-mobile input').fill(holder.mobile);
  await ui('#bind-submit').click();
  await ui('.qr')
    .waitFor({ timeout: 20_000 })
    .catch(async (error: unknown) => {
      mkdirSync(ARTIFACTS, { recursive: true });
      writeFileSync(join(ARTIFACTS, `bind-no-code-${label}.png`), await page.screenshot({ fullPage: true }));
      throw error;
    });
}
