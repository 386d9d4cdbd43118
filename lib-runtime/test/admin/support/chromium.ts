import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import puppeteer, { Browser } from 'puppeteer-core';

/** Debian's chromium; CI installs it (.ci/run). */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Flags that run headless Chromium on these machines (no sandbox as root, no network of its own). */
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

/** Headless Chromium with a fresh profile; fails (never skips) when the browser is not installed. */
export async function launchChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`the dashboard's browser test needs Chromium at ${CHROMIUM}: apt-get install chromium (.ci/run does), or set CHROMIUM_PATH`);
  }
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'oam-chromium-'));
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [...FLAGS, `--user-data-dir=${profile}`],
    timeout: 20_000,
  });
  return {
    browser,
    close: async () => {
      await browser.close().catch(() => undefined);
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
