/**
 * What every end-to-end test shares: Debian's Chromium driven by playwright-core, the built apps the
 * local stack serves, and where screenshots go.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PROJECT_ROOT } from '../../functions/local/serverless-config';

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
