import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium, keepProblems } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

// OBS-6 in the dashboard: the app view's "Custom metrics" panel shows what fixtures/app-metrics.js
// reports, and follows the live metrics snapshot. Headless Debian Chromium against a real daemon.

if (!hasChromium && process.env.CI) {
  throw new Error(
    `the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium, installed by .ci/run)`,
  );
}

let daemon: TestDaemon | undefined;
let api: TestServer | undefined;
let browser: Browser | undefined;
let page: Page;
let scratch: string | undefined;
const problems: string[] = [];

function spec(name: string, script: string, cwd = FIXTURES): AppSpec {
  return { ...APP_DEFAULTS, name, script, cwd, env: { PATH: process.env.PATH ?? '' } };
}

/** The panel's rows: series → value text. */
function shownSeries(tab: Page): Promise<Record<string, string>> {
  return tab
    .locator('.custom-metrics tr[data-series]')
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((r) => [r.getAttribute('data-series'), r.querySelector('td:last-child')?.textContent ?? '']),
      ),
    );
}

describe.skipIf(!hasChromium)('the dashboard shows custom app metrics (OBS-6)', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    scratch = mkdtempSync(join(tmpdir(), 'velos-dash-metrics-'));
    // a counter that grows every 200 ms, to see the panel follow the snapshot, and a long series
    writeFileSync(
      join(scratch, 'ticks.js'),
      [
        'const labels = { path: "/api/v1/" + "very-long-segment/".repeat(6), method: "GET" };',
        "console.log(JSON.stringify({ velos_metric: 'http_requests_total', type: 'counter', labels }));",
        "setInterval(() => console.log(JSON.stringify({ velos_metric: 'ticks_total', type: 'counter' })), 200);",
      ].join('\n'),
    );
    const browserReady = (async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      page = await (await browser.newContext()).newPage();
      keepProblems(page, problems);
    })();
    const serverReady = (async () => {
      daemon = await startDaemon();
      await daemon.client.start([
        spec('shop', 'app-metrics.js'),
        spec('ticks', 'ticks.js', scratch),
        spec('quiet', 'silent.js'),
      ]);
      api = await startServer(daemon.client, { rateLimitPerMinute: 100_000 });
    })();
    const failed = (await Promise.allSettled([browserReady, serverReady])).find(
      (r) => r.status === 'rejected',
    );
    if (failed) throw failed.reason;
    await page.goto(`${api!.url}/#/app/shop`);
    await page.fill('#token', api!.admin);
    await page.click('button[type=submit]');
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.server.close().catch(() => undefined);
    await daemon?.stop();
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }, 60_000);

  it("lists the app's series by name, a histogram as count, sum and percentiles", async () => {
    const rows = await waitFor(async () => {
      const shown = await shownSeries(page);
      return 'after_malformed_total' in shown ? shown : null;
    }, 'the custom metrics of shop in the app view');
    expect(rows).toEqual({
      after_malformed_total: '1',
      checkout_seconds: 'count 2, sum 0.9, p50 0.5, p95 0.95',
      'orders_total{shop="eu"}': '3',
      'orders_total{shop="us"}': '2',
      queue_depth: '15',
    });
    expect(
      await page.locator('.custom-metrics tr[data-series="checkout_seconds"] td').nth(1).textContent(),
    ).toBe('histogram');
  });

  it('follows the live snapshot, and says so when an app reports none', async () => {
    await page.evaluate(() => {
      window.location.hash = '#/app/ticks';
    });
    const ticks = async () => Number((await shownSeries(page)).ticks_total ?? Number.NaN);
    const first = await waitFor(async () => {
      const n = await ticks();
      return n > 0 ? n : null;
    }, 'ticks_total in the app view');
    await waitFor(async () => (await ticks()) > first, `ticks_total above ${first} after a new snapshot`);

    await page.evaluate(() => {
      window.location.hash = '#/app/quiet';
    });
    await page.locator('.empty-note', { hasText: 'No custom metrics' }).waitFor({ timeout: 20_000 });
    expect(await page.locator('.custom-metrics').count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('fits a phone screen, long series names wrapped', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.evaluate(() => {
      window.location.hash = '#/app/ticks';
    });
    await page
      .locator('.custom-metrics tr[data-series^="http_requests_total{"]')
      .waitFor({ timeout: 20_000 });
    const overflow = await page.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });
});
