import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium, keepProblems } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';
import { countingControl, type SubscriptionCounts } from './ws-harness.js';

// The log view when the server's follow fell behind: the daemon's skip marker, sent over the
// WebSocket as {type:"skipped"}, is a dim notice in the lines, not a line of the app. Headless Debian
// Chromium through playwright-core against a real daemon and API server, as dashboard.test.ts.

if (!hasChromium && process.env.CI) {
  throw new Error(
    `the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium, installed by .ci/run)`,
  );
}
/**
 * fixtures/chatty.js lines of flood: `line <n> <4,000 x>`, at full speed: 16 MB. By its bounds the daemon may hold ~10 MiB
 * of a follow before it counts lines as skipped (a batch written into the socket while it held under 1 MiB,
 * whole, the answer queue, the follow's own 4 MiB): with 8 MB, 1 run in 3 or 4 never fell behind and showed
 * no notice (on this tree and session 40's alike). The lines before the notice may pass the 2,000 rows the
 * page keeps; the notice comes after them (the flood has ended when the server reads again), so it stays.
 */
const COUNT = 4000;
const PAD = 4000;
const FULL_BYTES = (() => {
  let bytes = 0;
  for (let n = 1; n <= COUNT; n += 1) bytes += `line ${n} `.length + PAD + 1;
  return bytes;
})();

let daemon: TestDaemon | undefined;
let api: TestServer | undefined;
let browser: Browser | undefined;
let page: Page;
let counts: SubscriptionCounts;
const problems: string[] = [];

function spec(name: string, script: string, env: Record<string, string> = {}): AppSpec {
  return { ...APP_DEFAULTS, name, script, cwd: FIXTURES, env: { PATH: process.env.PATH ?? '', ...env } };
}

describe.skipIf(!hasChromium)('the dashboard log view of a follow that fell behind', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
    page = await (await browser.newContext()).newPage();
    await page.setViewportSize({ width: 1280, height: 800 });
    keepProblems(page, problems);
    daemon = await startDaemon();
    await daemon.client.start([spec('web', 'silent.js')]);
    const counted = countingControl(daemon.client);
    counts = counted.counts;
    // this process reads everything it was sent at once after its stall: no slow-consumer close
    api = await startServer(counted.control, {
      rateLimitPerMinute: 100_000,
      ws: { maxBufferedBytes: 256 * 1024 * 1024 },
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.server.close().catch(() => undefined);
    await daemon?.stop();
  }, 60_000);

  it('shows the lines the server left out as a dim "… N lines skipped" notice', async () => {
    await page.goto(`${api!.url}/#/logs`);
    await page.fill('#token', api!.admin);
    await page.click('button[type=submit]');
    await waitFor(() => counts.active.followLogs >= 1, 'the log view following all apps');
    await daemon!.client.start([
      spec('flood', 'chatty.js', { COUNT: String(COUNT), RATE: '0', PAD: String(PAD), STAY: '1' }),
    ]);
    // the server (this process) reads nothing until the daemon has written every line of flood
    const outLog = join(daemon!.home, 'logs', 'flood-out.log');
    const deadline = Date.now() + 60_000;
    const lock = new Int32Array(new SharedArrayBuffer(4));
    while (sizeOf(outLog) < FULL_BYTES && Date.now() < deadline) Atomics.wait(lock, 0, 0, 20);
    expect(sizeOf(outLog)).toBe(FULL_BYTES);

    const notice = page.locator('.log-lines .ll-skip').first();
    await notice.waitFor({ timeout: 60_000 });
    expect(await notice.textContent()).toMatch(/^… [1-9][\d,]* lines skipped \(flood\)$/);
    const color = await notice.evaluate((el) => getComputedStyle(el).color);
    const lineColor = await page
      .locator('.log-lines .ll:not(.ll-skip) .ll-x')
      .first()
      .evaluate((el) => getComputedStyle(el).color);
    expect(color).not.toBe(lineColor);
    const texts = await page.locator('.log-lines .ll:not(.ll-skip) .ll-x').allTextContents();
    expect(texts.filter((t) => t.includes('skipped'))).toEqual([]);
    expect(problems).toEqual([]);
  }, 120_000);
});

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
