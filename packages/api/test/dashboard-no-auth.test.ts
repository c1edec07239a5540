import { existsSync } from 'node:fs';
import { APP_DEFAULTS } from '@velos/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium, keepProblems } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon } from './support/daemon.js';

// `velos serve --no-auth`: the server has no tokens, so the dashboard must not ask for one. Headless
// Debian Chromium through playwright-core against a real daemon, as dashboard.test.ts.

if (!hasChromium && process.env.CI) {
  throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium)`);
}

let daemon: TestDaemon | undefined;
let open: TestServer | undefined;
let guarded: TestServer | undefined;
let browser: Browser | undefined;
const problems: string[] = [];

async function newTab(): Promise<Page> {
  const tab = await browser!.newPage();
  keepProblems(tab, problems);
  return tab;
}

describe.skipIf(!hasChromium)('the web dashboard of a server with authentication off', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    daemon = await startDaemon();
    await daemon.client.start([
      { ...APP_DEFAULTS, name: 'quiet', script: 'silent.js', cwd: FIXTURES, env: {} },
    ]);
    open = await startServer(daemon.client, { auth: { disabled: true } });
    guarded = await startServer(daemon.client);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await open?.server.close().catch(() => undefined);
    await guarded?.server.close().catch(() => undefined);
    await daemon?.stop();
  }, 60_000);

  it('shows the process table at once, with admin actions, no sign-in form and no sign-out', async () => {
    const tab = await newTab();
    await tab.goto(`${open!.url}/#/`);
    await tab.locator('tr[data-row="quiet"]').waitFor({ timeout: 20_000 });
    expect(await tab.locator('#token').count()).toBe(0);
    expect(await tab.getByText('Sign in to Velos').count()).toBe(0);
    expect(await tab.locator('[aria-label="Sign out"]').count()).toBe(0);
    expect(await tab.locator('.chip', { hasText: 'read-only' }).count()).toBe(0);
    // the live socket is admitted too
    await tab.locator('.conn', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    await tab.close();
    expect(problems).toEqual([]);
  });

  it('still asks a server with tokens for one, without calling it refused', async () => {
    const tab = await newTab();
    await tab.goto(`${guarded!.url}/#/`);
    await tab.locator('#token').waitFor({ timeout: 20_000 });
    expect(await tab.locator('.form-error').count()).toBe(0);
    expect(await tab.locator('tr[data-row="quiet"]').count()).toBe(0);
    await tab.close();
    // the look without a token asks /health, which answers 200: no 401 in the console
    expect(problems).toEqual([]);
  });
});
