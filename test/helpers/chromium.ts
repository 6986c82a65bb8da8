/** Debian's Chromium, headless, as the tests and benches drive it: no sandbox (root), no background traffic. */
import { chromium, type Browser } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      // this machine's network is closed: no update, sync or field-trial requests
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
