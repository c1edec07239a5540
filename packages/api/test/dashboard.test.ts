import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { APP_DEFAULTS, type AppSpec } from '@velos/core';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium, keepProblems } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

/** Screenshots and timings, kept as test artifacts (gitignored). */
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
if (!hasChromium && process.env.CI) {
  throw new Error(
    `the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium, installed by .ci/run)`,
  );
}

let daemon: TestDaemon | undefined;
let api: TestServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
/** Console errors and page errors of every page, with the step they happened in. */
const problems: string[] = [];
let step = 'load';

function spec(name: string, script: string, overrides: Partial<AppSpec> = {}): AppSpec {
  return {
    ...APP_DEFAULTS,
    name,
    script,
    cwd: FIXTURES,
    env: { PATH: process.env.PATH ?? '' },
    ...overrides,
  };
}

async function pidOf(name: string): Promise<number | null> {
  const rows = await daemon!.client.list();
  return rows.find((row) => row.name === name)?.pid ?? null;
}

async function newPage(width: number, height: number, colorScheme: 'light' | 'dark'): Promise<Page> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height });
  await page.emulateMedia({ colorScheme });
  keepProblems(page, problems, () => `${step}: `);
  return page;
}

/** Signs `tab` out (its session forgets the token) and in again with `token` (as typed in the form). */
async function signInAgain(tab: Page, token: string): Promise<void> {
  await tab.goto(`${api!.url}/#/`);
  await tab.evaluate("sessionStorage.removeItem('velos.token')");
  await tab.reload();
  await tab.fill('#token', token);
  await tab.click('button[type=submit]');
  await tab.locator('tr[data-row="web"]').waitFor();
}

/** Waits for every promise, then rethrows the first failure (none is left running on an error). */
async function allSettled(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

describe.skipIf(!hasChromium)('the web dashboard in headless Chromium', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    mkdirSync(ARTIFACTS, { recursive: true });
    // the browser starts while the daemon, its apps and the API server do: neither needs the other
    const browserReady = (async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      context = await browser.newContext();
      page = await newPage(1280, 800, 'light');
    })();
    const serverReady = (async () => {
      daemon = await startDaemon();
      const client = daemon.client;
      await allSettled([
        client.start([
          spec('web', 'server.js', { env: { PATH: process.env.PATH ?? '', PORT: '0' } }),
          spec('payments', 'log-mix.js', {
            env: { PATH: process.env.PATH ?? '', RATE: '20', STAY: '1', COUNT: '1000000' },
          }),
          spec('api', 'cluster-server.js', {
            execMode: 'cluster',
            instances: 2,
            env: { PATH: process.env.PATH ?? '', PORT: '0' },
          }),
          spec('worker', 'silent.js'),
          // a crash loop from the start (runs under min_uptime); a restart every ~3 s, not every 0.7 s, as
          // each costs a node start, the daemon's work and a repaint of every open tab
          spec('crashy', 'crash-after.js', { args: ['300'], restartDelayMs: 2500, maxRestarts: 1000 }),
        ]),
        startServer(client, { rateLimitPerMinute: 100_000 }).then((started) => {
          api = started;
        }),
      ]);
    })();
    await allSettled([browserReady, serverReady]);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.server.close().catch(() => undefined);
    await daemon?.stop();
  }, 60_000);

  it('asks for the token once, says when it is refused, then shows the apps', async () => {
    await page.goto(api!.url);
    await page.locator('#token').waitFor();
    step = 'wrong token';
    await page.fill('#token', 'not-the-token');
    await page.click('button[type=submit]');
    await page.locator('.form-error').waitFor();
    expect(await page.locator('.form-error').textContent()).toMatch(/refused/);
    step = 'sign in';
    await page.fill('#token', api!.admin);
    await page.click('button[type=submit]');
    for (const name of ['web', 'payments', 'api', 'worker', 'crashy']) {
      await page.locator(`tr[data-row="${name}"]`).waitFor({ timeout: 20_000 });
    }
    expect(await page.locator('tr[data-row="api"] .sub').textContent()).toBe('2 instances');
    expect(await page.locator('.conn').textContent()).toMatch(/live|connecting/);
    // the token lives in this tab's session: a reload goes straight to the apps
    step = 'reload';
    // the moment the first row is in the page, seen from inside it
    await page.addInitScript({
      content: `new MutationObserver((_, observer) => {
        if (!document.querySelector('tr[data-row]')) return;
        window.firstRowMs = Math.round(performance.now());
        observer.disconnect();
      }).observe(document, { childList: true, subtree: true });`,
    });
    await page.reload();
    await page.locator('tr[data-row="web"]').waitFor();
    const firstUsefulPaintMs = await page.evaluate('window.firstRowMs');
    const paints = await page.evaluate(
      "performance.getEntriesByType('paint').map((p) => [p.name, Math.round(p.startTime)])",
    );
    writeFileSync(`${ARTIFACTS}timings.json`, `${JSON.stringify({ firstUsefulPaintMs, paints }, null, 2)}\n`);
    expect(await page.locator('#token').count()).toBe(0);
  });

  it('restarts an app from its row and shows the new PID', async () => {
    step = 'restart';
    const before = await waitFor(() => pidOf('web'), 'web to have a pid');
    await page.locator('tr[data-row="web"] button', { hasText: 'Restart' }).click();
    const outcome = page.locator('.outcome-row .outcome.ok');
    await outcome.waitFor();
    const after = await waitFor(async () => {
      const pid = await pidOf('web');
      return pid !== null && pid !== before ? pid : null;
    }, 'web to run with a new pid');
    expect(await outcome.textContent()).toContain(`pid ${before} → ${after}`);
    await waitFor(
      async () => (await page.locator('tr[data-row="web"] .sub').textContent()) === `pid ${after}`,
      'the row to show the new pid',
    );
  });

  it('asks before stopping an app, and does nothing on Cancel', async () => {
    step = 'stop';
    const row = page.locator('tr[data-row="worker"]');
    // by keyboard: Enter on the row's Stop asks, and only asks (it also opened the app's view)
    await row.locator('button', { hasText: 'Stop' }).press('Enter');
    const dialog = page.locator('dialog.confirm[open]');
    await dialog.waitFor();
    expect(await dialog.locator('h2').textContent()).toBe('Stop worker?');
    expect(new URL(page.url()).hash).not.toContain('app');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' }).catch(() => dialog.waitFor({ state: 'hidden' }));
    // the focus is back on the button that asked (it fell to the page's body: Tab began at the top)
    await waitFor(
      async () =>
        (await page.evaluate(() => document.activeElement?.getAttribute('title'))) === 'Stop worker',
      'the focus back on Stop',
      5000,
    );
    expect((await daemon!.client.list()).find((p) => p.name === 'worker')?.status).toBe('online');
    // confirmed by keyboard too (Enter on the dialog's Stop)
    await row.locator('button', { hasText: 'Stop' }).press('Enter');
    await dialog.waitFor();
    await page.keyboard.press('Enter');
    await waitFor(
      async () => (await row.locator('.c-status').textContent())?.includes('stopped'),
      'the row to say stopped',
    );
    expect((await daemon!.client.list()).find((p) => p.name === 'worker')?.status).toBe('stopped');
    // Stop is gone with the app stopped: the focus goes to the row's first button (Start), not the body
    await waitFor(
      async () =>
        (await page.evaluate(() => document.activeElement?.getAttribute('title'))) === 'Restart worker',
      "the focus on the row's Start",
      5000,
    );
  });

  it('scales an app up at once and down after a confirmation', async () => {
    step = 'scale';
    await page.goto(`${api!.url}/#/app/api`);
    const count = async () => (await daemon!.client.list()).filter((p) => p.name === 'api').length;
    const input = page.locator('form.scale input');
    await input.fill('3');
    await page.locator('form.scale button[type=submit]').click();
    await page.locator('[data-outcome]', { hasText: 'scaled to 3 instances' }).waitFor();
    expect(await count()).toBe(3);
    await input.fill('-1');
    await page.locator('form.scale button[type=submit]').click();
    const dialog = page.locator('dialog.confirm[open]');
    // Escape cancels, and the focus goes back to Scale (it fell to the body: the button was busy, disabled)
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await waitFor(
      async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Scale',
      'the focus back on Scale',
      5000,
    );
    expect(await count()).toBe(3);
    await page.locator('form.scale button[type=submit]').click();
    expect(await dialog.locator('h2').textContent()).toBe('Scale api down to 2?');
    await dialog.locator('button[type=submit]').click();
    await page.locator('[data-outcome]', { hasText: 'scaled to 2 instances' }).waitFor();
    expect(await count()).toBe(2);
  });

  it('follows the logs of an app and filters them by level and text', async () => {
    step = 'logs';
    await page.goto(`${api!.url}/#/`);
    // every text the line count shows, from before the panel opens: never `0 lines` before the backlog
    await page.evaluate(`(() => {
      const seen = (window.logCounts = []);
      new MutationObserver(() => {
        const text = document.querySelector('.log-count')?.textContent;
        if (text && seen.at(-1) !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    })()`);
    await page.locator('tr[data-row="payments"] a.app-name').click();
    await waitFor(() => page.url().includes('#/app/payments'), 'the app view');
    const lines = page.locator('.log-lines .ll');
    await waitFor(async () => (await lines.count()) > 5, 'the first lines');
    expect(await page.evaluate('window.logCounts')).not.toContain('0 lines');
    const first = await lines.count();
    await waitFor(async () => (await lines.count()) > first, 'more lines while following');
    await page.locator('.log-summary .score').waitFor();

    await page.selectOption('select[data-level]', 'error');
    await waitFor(() => /level=error/.test(page.url()), 'the URL to hold the filter');
    // the filtered answer replaces the lines shown before: wait for it, then every line is an error
    const shownLevels = () =>
      page.locator('.log-lines .ll').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-level')));
    await waitFor(async () => {
      const levels = await shownLevels();
      return levels.length > 0 && levels.every((l) => l === 'error' || l === 'fatal');
    }, 'only error lines');
    expect((await page.locator('.log-count').textContent()) ?? '').toMatch(/^[1-9][\d,]* lines$/);

    await page.fill('input[data-log-search]', 'payment failed');
    await page.press('input[data-log-search]', 'Enter');
    await waitFor(() => /q=payment/.test(page.url()), 'the URL to hold the filter');
    await waitFor(async () => {
      const texts = await page.locator('.log-lines .ll-x').allTextContents();
      return texts.length > 0 && texts.every((t) => t.includes('payment failed'));
    }, 'only lines with the text');

    // followed live under a level filter, the stderr line just before a crash shows as error, as the
    // search shows it (the page alone judges it info: the crash is not known when the line arrives)
    await page.goto(`${api!.url}/#/app/crashy?level=error`);
    const crashLines = page.locator('.log-lines .ll[data-level="error"]', {
      hasText: 'crashing with exit code',
    });
    const before = await waitFor(
      async () => (await page.locator('.log-count').textContent())?.endsWith(' lines') && crashLines.count(),
      'the searched crash lines',
    );
    await waitFor(
      async () => (await crashLines.count()) > before,
      'a crash line that came while following',
      15_000,
    );

    // the REST tail carries each line's level as the engine judges it, the crash's last stderr line
    // raised to error (as `velos logs --level error` and the summary count it), and the page's
    // unfiltered follow shows it so (the socket's backlog carries it too)
    const tail = await call<{ lines: { line: string; lvl?: string }[] }>(
      api!.url,
      'GET',
      '/api/v1/logs/crashy',
      {
        token: api!.read,
      },
    );
    expect(tail.body.lines.length).toBeGreaterThan(0);
    expect(tail.body.lines.every((l) => typeof l.lvl === 'string')).toBe(true);
    expect(tail.body.lines.filter((l) => l.line.startsWith('crashing with')).map((l) => l.lvl)).toContain(
      'error',
    );
    await page.goto(`${api!.url}/#/app/crashy`);
    const errorRows = page.locator('.log-lines .ll[data-level="error"]', {
      hasText: 'crashing with exit code',
    });
    await waitFor(async () => (await errorRows.count()) > 0, 'the crash line as error in the plain tail');
  });

  it('shows the effective config with the keys and units of velos.toml', async () => {
    step = 'config';
    await page.goto(`${api!.url}/#/app/crashy`);
    const config = page.locator('.config dl.kv');
    await config.waitFor();
    const shown = async () => {
      const keys = await config.locator('dt').allTextContents();
      const values = await config.locator('dd').allTextContents();
      return Object.fromEntries(keys.map((key, i) => [key, values[i]!.trim()]));
    };
    const entries = await shown();
    expect(entries).toMatchObject({
      max_restarts: '1000',
      restart_delay: '2500ms',
      min_uptime: '1s',
      kill_timeout: '5s',
      autorestart: 'true',
    });
    for (const key of Object.keys(entries)) expect(key, key).toMatch(/^[a-z_]+$/);
    expect(entries).not.toHaveProperty('maxRestarts');
  });

  it('answers the keys: ? for help, j/k in the table, / to filter', async () => {
    step = 'keys';
    await page.goto(`${api!.url}/#/`);
    await page.locator('tr[data-row]').first().waitFor();
    await page.keyboard.press('?');
    await page.locator('.help').waitFor();
    await page.keyboard.press('Escape');
    await page.locator('.help').waitFor({ state: 'detached' });
    await page.keyboard.press('j');
    await page.keyboard.press('j');
    expect(await page.evaluate("document.activeElement?.getAttribute('data-row')")).toBe('crashy');
    await page.keyboard.press('/');
    await page.keyboard.type('pay');
    await waitFor(() => /q=pay/.test(page.url()), 'the URL to hold the filter');
    expect(await page.locator('tr[data-row]').count()).toBe(1);
  });

  it('hides the actions from a read-only token', async () => {
    step = 'read token';
    // the main tab, signed out (its session forgets the token), signs in with the read token: no new tab
    await signInAgain(page, `read ${api!.read}`);
    await page.locator('.topbar .chip', { hasText: 'read-only' }).waitFor();
    expect(await page.locator('tr[data-row] button', { hasText: 'Restart' }).count()).toBe(0);
  });

  it('says why when a token it signed in with is refused later (rotated): the form with its reason', async () => {
    step = 'revoked token';
    await signInAgain(page, api!.admin);
    // the tab's token no longer valid, as after a rotation: its next load's calls all get 401
    await page.evaluate("sessionStorage.setItem('velos.token', 'a-rotated-token')");
    await page.reload();
    await page.locator('#token').waitFor();
    // every call of the load failed; the later 401s took the tab for one without a token (no reason)
    await page.locator('.form-error', { hasText: 'refused' }).waitFor({ timeout: 5000 });
    // the main tab stays on this form (no socket, nothing to repaint) while the last test's tabs work
  });

  it('looks right at 1280×800 and 390×844, light and dark, with an app in a crash loop', async () => {
    step = 'screenshots';
    await waitFor(
      async () => {
        const rows = await daemon!.client.list();
        return (rows.find((p) => p.name === 'crashy')?.restarts ?? 0) >= 4;
      },
      'crashy to crash-loop',
      30_000,
    );
    /** Switches `shot` to `scheme` the way the system does, and waits for the page to follow. */
    const toScheme = async (shot: Page, scheme: 'light' | 'dark') => {
      await shot.emulateMedia({ colorScheme: scheme });
      await shot.locator(`html[data-theme="${scheme}"]`).waitFor({ state: 'attached' });
    };
    // One tab a size, each view shot in both schemes: the tab opens in one scheme (1280×800 light,
    // 390×844 dark: either scheme loaded fresh) and follows the system's switch to the other.
    for (const [width, height, first, second] of [
      [1280, 800, 'light', 'dark'],
      [390, 844, 'dark', 'light'],
    ] as const) {
      const shot = await newPage(width, height, first);
      // a new tab has its own session storage: it asks for the token again
      await shot.goto(`${api!.url}/#/`);
      await shot.locator(`html[data-theme="${first}"]`).waitFor({ state: 'attached' });
      await shot.fill('#token', api!.admin);
      await shot.click('button[type=submit]');
      await shot.locator('tr[data-row="crashy"]').waitFor();
      for (const scheme of [first, second]) {
        if (scheme !== first) await toScheme(shot, scheme);
        await waitFor(
          async () =>
            (await shot.locator('tr[data-row="crashy"] .c-status').textContent())?.includes('crash loop'),
          'crashy shown as a crash loop',
        );
        await shot.locator('td.c-mem .spark, td.c-mem .spark-empty').first().waitFor({ state: 'attached' });
        await shot.screenshot({ path: `${ARTIFACTS}overview-${width}x${height}-${scheme}.png` });
      }
      await shot.goto(`${api!.url}/#/app/payments`);
      for (const scheme of [second, first]) {
        if (scheme !== second) await toScheme(shot, scheme);
        await shot.locator('.log-summary .score').waitFor();
        await shot.locator('.log-lines .ll').first().waitFor();
        await shot.locator('.chart .uplot, .charts + *, .empty-note').first().waitFor();
        await shot.screenshot({
          path: `${ARTIFACTS}app-${width}x${height}-${scheme}.png`,
          fullPage: width > 400,
        });
      }
      await shot.close();
    }
    expect(existsSync(`${ARTIFACTS}overview-390x844-dark.png`)).toBe(true);
  }, 120_000);

  it('logged no console error (the refused token’s 401 aside)', () => {
    const unexpected = problems.filter(
      (p) => !((p.startsWith('wrong token:') || p.startsWith('revoked token:')) && p.includes('401')),
    );
    expect(unexpected).toEqual([]);
  });
});
