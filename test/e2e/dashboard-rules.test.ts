import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, velosOk, waitFor } from './helpers.js';
import { startServe } from './serve-helpers.js';

// An open dashboard picks up `log_rules` that a config reload changed (ENG-1): the levels of the lines
// shown change without a page load. Headless Debian Chromium through playwright-core, as the
// dashboard tests of packages/api, against `velos serve` over a real daemon.

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-dev-shm-usage',
];
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && process.env.CI) {
  throw new Error(`the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium)`);
}

/** rule-lines.js prints these four lines once. */
const LINES = join(FIXTURES, 'rule-lines.js');
const FIRST_RULES =
  'log_rules = [{ match = "^legacy call:", level = "warn" }, { match = "cache miss", level = "info" }]';
const SECOND_RULES = 'log_rules = [{ match = "^all good$", level = "warn" }]';
/** The levels of the four lines under each set of rules (the built-in ones after the app's own). */
const FIRST_LEVELS = {
  'DEPRECATED: x() is going away': 'warn',
  'legacy call: /v1/users': 'warn',
  'ERROR cache miss for key user:1': 'info',
  'all good': 'info',
};
const SECOND_LEVELS = {
  'DEPRECATED: x() is going away': 'warn',
  'legacy call: /v1/users': 'info',
  'ERROR cache miss for key user:1': 'error',
  'all good': 'warn',
};

let browser: Browser | undefined;

afterEach(async () => {
  await browser?.close().catch(() => undefined);
  browser = undefined;
  // the daemon, its app and `velos serve`, by PID
  await cleanupHomes();
});

function writeApp(home: string, rules: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'app.toml');
  writeFileSync(path, `[[apps]]\nname = "ruled"\nscript = "${LINES}"\n${rules}\n`);
  return path;
}

/** The level of each line the log panel shows, by its text. */
async function shownLevels(page: Page): Promise<Record<string, string | null>> {
  const rows = await page
    .locator('.log-lines .ll')
    .evaluateAll((all) =>
      all.map((r) => [r.querySelector('.ll-x')?.textContent ?? '', r.getAttribute('data-level')] as const),
    );
  return Object.fromEntries(rows);
}

/** Waits until the panel shows exactly `levels` (line text to level), and says what it showed if not. */
async function waitForLevels(page: Page, levels: Record<string, string>, what: string): Promise<void> {
  let shown: Record<string, string | null> = {};
  await waitFor(
    async () => {
      shown = await shownLevels(page);
      return JSON.stringify(shown) === JSON.stringify(levels);
    },
    { timeoutMs: 20_000, message: () => `${what}: the panel shows ${JSON.stringify(shown)}` },
  );
}

describe.skipIf(!hasChromium)('the dashboard’s log panel and changed log_rules (ENG-1)', () => {
  it('gives the open panel’s lines their new levels when a config reload changes the rules', async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), '[reload]\ngrace = "300ms"\n');
    const file = writeApp(home, FIRST_RULES);
    await velosOk(['start', file], { home });
    await waitFor(
      async () => (await velosOk(['logs', 'ruled', '--lines', '10'], { home })).stdout.includes('all good'),
      { message: 'the lines of ruled captured' },
    );
    const [{ url, admin }, launched] = await Promise.all([
      startServe(home),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true }),
    ]);
    browser = launched;
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(`${url}/#/app/ruled`);
    await page.fill('#token', admin);
    await page.click('button[type=submit]');
    // the plain tail is the socket's once the connection is live: the panel reads it again then (rows
    // drawn from REST before are replaced, not restyled), in an effect run after the next paint
    await page.locator('.conn', { hasText: 'live' }).waitFor();
    await page.evaluate(
      'new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(resolve, 0))))',
    );
    await waitForLevels(page, FIRST_LEVELS, 'the first rules');
    // a page that loads again would lose these marks (evaluated in the page: this file has no DOM types)
    await page.evaluate('window.stayed = true');
    await page.locator('.log-lines .ll').evaluateAll((rows) => {
      for (const row of rows) row.setAttribute('data-kept', '1');
    });

    // the plain, followed tail: the same rows, their levels and classes given again
    writeApp(home, SECOND_RULES);
    expect((await velosOk(['config', 'reload', file], { home })).stdout).toMatch(/updated in place ruled/);
    await waitForLevels(page, SECOND_LEVELS, 'the rules after the reload');
    const rows = await page.locator('.log-lines .ll').evaluateAll((all) =>
      all.map((r) => ({
        text: r.querySelector('.ll-x')?.textContent,
        className: r.className,
        kept: r.getAttribute('data-kept'),
      })),
    );
    expect(rows.find((r) => r.text === 'all good')).toEqual({
      text: 'all good',
      className: 'll lvl-warn',
      kept: '1',
    });
    expect(rows.find((r) => r.text?.startsWith('ERROR'))?.className).toBe('ll lvl-error');
    expect(rows.every((r) => r.kept === '1')).toBe(true);

    // under a level filter the rules decide which lines are there: the panel reads them again
    await page.evaluate("window.location.hash = '#/app/ruled?level=warn'");
    await waitForLevels(
      page,
      {
        'DEPRECATED: x() is going away': 'warn',
        'ERROR cache miss for key user:1': 'error',
        'all good': 'warn',
      },
      'warn and worse under the second rules',
    );
    writeApp(home, FIRST_RULES);
    await velosOk(['config', 'reload', file], { home });
    await waitForLevels(
      page,
      { 'DEPRECATED: x() is going away': 'warn', 'legacy call: /v1/users': 'warn' },
      'warn and worse under the first rules again',
    );
    expect(await page.evaluate('window.stayed')).toBe(true);
    expect(problems).toEqual([]);
  }, 90_000);
});
