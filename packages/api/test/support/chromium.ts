import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';

/** Debian's Chromium, which the dashboard tests drive through playwright-core. */
export const CHROMIUM = '/usr/bin/chromium';
/** The flags every dashboard test launches it with. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
];
/** The built dashboard (`pnpm run build`). */
export const DASHBOARD_BUILD = fileURLToPath(new URL('../../dist/dashboard/index.html', import.meta.url));
/** Whether Chromium is installed here (`.ci/run` installs it on CI). */
export const hasChromium = existsSync(CHROMIUM);

/**
 * Keeps `page`'s console errors and page errors in `problems`, each prefixed with `prefix()` and, when
 * Chromium names one, the URL it came from. A 503 answer of `/health` is not a problem: it is the
 * server's answer for a daemon that is unhealthy at that moment (an event loop held for over a second
 * on a loaded machine), which the page reads like any other (its body says whether auth is on).
 */
export function keepProblems(page: Page, problems: string[], prefix: () => string = () => ''): void {
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const { url } = message.location();
    if (/\/health(\?|$)/.test(url) && message.text().includes('503')) return;
    problems.push(`${prefix()}console: ${message.text()}${url ? ` (${url})` : ''}`);
  });
  page.on('pageerror', (error) => problems.push(`${prefix()}page error: ${error.message}`));
}
