import { existsSync } from 'node:fs';
import { APP_DEFAULTS } from '@velos/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon } from './support/daemon.js';

// The daemon stopped (`velos kill`) under an open page and started again: the page says so where it
// says the connection is live, not only in its banner. Headless Debian Chromium through playwright-core
// against a real daemon and API server, as dashboard.test.ts.

if (!hasChromium && process.env.CI) {
  throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium)`);
}

let first: TestDaemon | undefined;
let second: TestDaemon | undefined;
let api: TestServer | undefined;
let browser: Browser | undefined;
let tab: Page;
const problems: string[] = [];

describe.skipIf(!hasChromium)('the web dashboard while its daemon is gone', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    first = await startDaemon();
    await first.client.start([
      { ...APP_DEFAULTS, name: 'quiet', script: 'silent.js', cwd: FIXTURES, env: {} },
    ]);
    api = await startServer(first.client, { auth: { disabled: true } });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    tab = await browser.newPage();
    tab.on('console', (message) => {
      // the reads the daemon's absence answers 503 are expected here
      if (message.type() === 'error' && !message.text().includes('503')) problems.push(message.text());
    });
    tab.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.server.close().catch(() => undefined);
    // the second daemon runs on the first one's home, which the last stop removes
    await second?.stop();
    await first?.stop();
  }, 60_000);

  it('says "daemon down" instead of "live" until a daemon answers again', async () => {
    await tab.goto(`${api!.url}/#/`);
    await tab.locator('tr[data-row="quiet"]').waitFor({ timeout: 20_000 });
    const conn = tab.locator('.conn');
    await conn.filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });

    await first!.client.kill();
    await tab
      .locator('.banner', { hasText: 'The Velos daemon is not reachable' })
      .waitFor({ timeout: 20_000 });
    // the socket to the server stays up, but nothing behind it is live
    await conn.filter({ hasText: 'daemon down' }).waitFor({ timeout: 20_000 });
    expect(await conn.getAttribute('class')).toContain('tone-bad');
    expect(await conn.getAttribute('title')).toMatch(/cannot reach the Velos daemon/);

    // a page of a server that never reached the daemon knows nothing (one that did shows the rows it
    // last had): it said 0 online, "Loading the processes…", "No events yet" and "none recorded"
    const cold = await startServer(first!.client, { auth: { disabled: true } });
    const fresh = await browser!.newPage();
    try {
      await fresh.goto(`${cold.url}/#/`);
      await fresh
        .locator('.banner', { hasText: 'The Velos daemon is not reachable' })
        .waitFor({ timeout: 20_000 });
      await fresh.getByText('The apps are not known yet: the daemon is not reachable.').waitFor();
      expect(await fresh.locator('.count-n').allTextContents()).toEqual(['–', '–', '–', '–']);
      await fresh.getByText('The events are not known: the daemon is not reachable.').waitFor();
      await fresh.getByText('unknown: the daemon is not reachable').waitFor();
      expect(await fresh.getByText('none recorded').count()).toBe(0);
      // the events view neither: "No event matches these filters.", "Loading the alert rules…" for ever
      await fresh.goto(`${cold.url}/#/events`);
      await fresh.getByText('The events are not known: the daemon is not reachable.').waitFor();
      await fresh.getByText('The alert rules are not known: the daemon is not reachable.').waitFor();
    } finally {
      await fresh.close();
      await cold.server.close();
    }

    second = await startDaemon({}, first!.home);
    await tab.locator('.banner').waitFor({ state: 'detached', timeout: 30_000 });
    await conn.filter({ hasText: 'live' }).waitFor({ timeout: 20_000 });
    expect(problems).toEqual([]);
  });
});
