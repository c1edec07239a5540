import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { APP_DEFAULTS, type AppSpec, type ProcessInfo } from '@velos/core';
import { type Browser, type BrowserContext, chromium, type Page, type WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_KEPT } from '../dashboard/src/store.js';
import { startServer, type TestServer } from './support/api-server.js';
import { CHROMIUM, CHROMIUM_ARGS, DASHBOARD_BUILD, hasChromium, keepProblems } from './support/chromium.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

// The dashboard where a QA pass found it wrong: moving between apps, the levels and the text of the
// log search, the search's limit, the scale box, and a very long app name. Headless Debian Chromium
// through playwright-core against a real daemon and API server, as dashboard.test.ts.

if (!hasChromium && process.env.CI) {
  throw new Error(
    `the dashboard test needs Chromium at ${CHROMIUM} (Debian package chromium, installed by .ci/run)`,
  );
}
/** A name of 100 characters, as long as a QA tester made one. */
const LONG_NAME = `a-very-long-app-name-${'x'.repeat(79)}`;
/** Lines `flood` prints at once: the `GET` template alone matches more than a search returns (500). */
const FLOOD_LINES = 3000;

let daemon: TestDaemon | undefined;
let api: TestServer | undefined;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
const problems: string[] = [];

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

/** A new tab of `width`×`height` whose console errors and page errors are kept in `problems`. */
async function newTab(width: number, height: number): Promise<Page> {
  const tab = await context.newPage();
  await tab.setViewportSize({ width, height });
  keepProblems(tab, problems);
  return tab;
}

/** Opens the dashboard in `tab` and signs in with the admin token (a new tab asks for it). */
async function signIn(tab: Page): Promise<Page> {
  await tab.goto(`${api!.url}/#/`);
  await tab.fill('#token', api!.admin);
  await tab.click('button[type=submit]');
  await tab.locator('tr[data-row="web"]').waitFor({ timeout: 20_000 });
  return tab;
}

async function signedIn(width: number, height: number): Promise<Page> {
  return signIn(await newTab(width, height));
}

/** Waits for every promise, then rethrows the first failure (none is left running on an error). */
async function allSettled(promises: Promise<unknown>[]): Promise<void> {
  const failed = (await Promise.allSettled(promises)).find((r) => r.status === 'rejected');
  if (failed) throw failed.reason;
}

/** Goes to `hash` the way a link or Back does: the page stays, only the hash changes. */
async function toHash(tab: Page, hash: string): Promise<void> {
  await tab.evaluate((h) => {
    window.location.hash = h;
  }, hash);
}

/** The levels, texts and apps (shown on all apps only) of the log lines shown. */
function shownLines(tab: Page): Promise<{ level: string | null; text: string; app?: string }[]> {
  return tab.locator('.log-lines .ll').evaluateAll((rows) =>
    rows.map((r) => ({
      level: r.getAttribute('data-level'),
      app: r.querySelector('.ll-app')?.textContent ?? undefined,
      text: r.querySelector('.ll-x')?.textContent ?? '',
    })),
  );
}

let flooded: Promise<void> | undefined;
/**
 * Emits more info events of one app than the page holds, once, and waits until the open page has the
 * last: a busy home (100 apps restarted) does the same in a minute.
 */
function floodEvents(): Promise<void> {
  flooded ??= (async () => {
    await toHash(page, '#/');
    const flood = EVENTS_KEPT + 100;
    for (let i = 0; i < flood; i++)
      await daemon!.client.emitEvent({ name: 'flood', app: 'web', message: `flood ${i}` });
    await page.locator('.ev-msg', { hasText: `flood ${flood - 1}` }).waitFor({ timeout: 20_000 });
  })();
  return flooded;
}

async function instancesOf(name: string): Promise<number> {
  return (await daemon!.client.list()).filter((p) => p.name === name).length;
}

describe.skipIf(!hasChromium)('the web dashboard where QA found it wrong', () => {
  beforeAll(async () => {
    if (!existsSync(DASHBOARD_BUILD))
      throw new Error(`${DASHBOARD_BUILD} is missing: run pnpm run build first`);
    // the browser starts while the daemon, its apps and the API server do: neither needs the other
    const browserReady = (async () => {
      browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
      context = await browser.newContext();
      page = await newTab(1280, 800);
    })();
    const serverReady = (async () => {
      daemon = await startDaemon();
      const client = daemon.client;
      await allSettled([
        client.start([
          spec('web', 'silent.js', { instances: 3 }),
          spec('crasher', 'silent.js'),
          // `ticker <pid> err <n>` on stderr every 250 ms: info to the log engine (no level word in it)
          spec('ticker', 'ticker.js', { env: { PATH: process.env.PATH ?? '', TICK_MS: '50' } }),
          // its `ERROR payment failed for order <n>: card declined` lines are info by its own rule
          spec('payments', 'log-mix.js', {
            env: { PATH: process.env.PATH ?? '', RATE: '40', STAY: '1', COUNT: '1000000' },
            logRules: [{ match: 'card declined$', level: 'info' }],
          }),
          spec('flood', 'log-mix.js', {
            env: { PATH: process.env.PATH ?? '', COUNT: String(FLOOD_LINES), STAY: '1' },
          }),
          spec(LONG_NAME, 'silent.js'),
          // prints `crashing with exit code 1` on stderr (info by its words) and exits 1, once
          spec('crashed', 'crash-after.js', { args: ['200'], autorestart: false }),
          // a job due at 03:00 only: it runs here when Run now is clicked (and exits 1 at once)
          spec('nightly', 'crash-after.js', { args: ['10'], type: 'job', schedule: '0 3 * * *' }),
        ]),
        startServer(client, { rateLimitPerMinute: 100_000 }).then((started) => {
          api = started;
        }),
      ]);
    })();
    await allSettled([browserReady, serverReady]);
    await signIn(page);
  }, 120_000);

  afterAll(async () => {
    await browser?.close().catch(() => undefined);
    await api?.server.close().catch(() => undefined);
    await daemon?.stop();
  }, 60_000);

  it('shows the new app’s instance count and outcome when the hash moves straight to another app', async () => {
    await toHash(page, '#/app/web');
    const input = page.locator('form.scale input');
    await waitFor(async () => (await input.inputValue()) === '3', 'the scale box of web to say 3');
    await page.locator('button[data-action="restart"]').click();
    await page.locator('[data-outcome]', { hasText: 'restarted' }).waitFor();

    await toHash(page, '#/app/crasher');
    await page.locator('.app-title h1', { hasText: 'crasher' }).waitFor();
    await waitFor(async () => (await input.inputValue()) === '1', 'the scale box of crasher to say 1');
    expect(await page.locator('form.scale button[type=submit]').isDisabled()).toBe(true);
    // web's outcome is web's: crasher has none
    expect(await page.locator('[data-outcome]').count()).toBe(0);

    await page.goBack();
    await page.locator('.app-title h1', { hasText: 'web' }).waitFor();
    await waitFor(async () => (await input.inputValue()) === '3', 'the scale box of web to say 3 again');
    await page.locator('[data-outcome]', { hasText: 'restarted' }).waitFor();
    await page.goForward();
    await page.locator('.app-title h1', { hasText: 'crasher' }).waitFor();
    await waitFor(async () => (await input.inputValue()) === '1', 'crasher’s count after Forward');
    expect(await instancesOf('crasher')).toBe(1);
  });

  it('refuses a scale box that asks for no valid count, without a confirmation', async () => {
    await toHash(page, '#/app/crasher');
    await page.locator('.app-title h1', { hasText: 'crasher' }).waitFor();
    const input = page.locator('form.scale input');
    for (const [typed, said] of [
      ['-5', '-5 gives -4 instances (crasher has 1): expected 1 to 1024'],
      ['1.5', 'expected a whole number of instances N (1 to 1024), +N or -N, got "1.5"'],
      ['99999', '99999 instances: expected 1 to 1024'],
      ['  ', 'expected a whole number of instances N (1 to 1024), +N or -N, got ""'],
    ] as const) {
      await input.fill(typed);
      await page.locator('form.scale button[type=submit]').click();
      await page.locator('[data-outcome].bad', { hasText: said }).waitFor();
      expect(await page.locator('dialog.confirm[open]').count()).toBe(0);
    }
    expect(await instancesOf('crasher')).toBe(1);
    // a valid count still works, and the confirmation names what will happen
    await input.fill('+1');
    await page.locator('form.scale button[type=submit]').click();
    await page.locator('[data-outcome].ok', { hasText: 'scaled to 2 instances' }).waitFor();
    await waitFor(async () => (await input.inputValue()) === '2', 'the box to follow the new count');
    await input.fill('-1');
    await page.locator('form.scale button[type=submit]').click();
    const dialog = page.locator('dialog.confirm[open]');
    expect(await dialog.locator('h2').textContent()).toBe('Scale crasher down to 1?');
    expect(await dialog.textContent()).toContain('1 instance of crasher will be stopped');
    await dialog.locator('button[type=submit]').click();
    await page.locator('[data-outcome].ok', { hasText: 'scaled to 1 instance' }).waitFor();
    expect(await instancesOf('crasher')).toBe(1);
  });

  it('gives lines the log engine’s level, the same in the page as in the server’s filter', async () => {
    // the server's level filter (the engine) finds none of ticker's stderr lines at error
    await waitFor(
      async () =>
        (await daemon!.client.logs({ target: 'ticker', lines: 200 })).some((l) => / err \d+$/.test(l.line)),
      'ticker’s stderr lines',
    );
    const engine = await daemon!.client.searchLogs({ target: 'ticker', level: 'error', limit: 100 });
    expect(engine.lines).toEqual([]);
    // nor payments' declined cards, info by its log_rules (its other errors it finds)
    const errorsOfPayments = async () =>
      (await daemon!.client.searchLogs({ target: 'payments', level: 'error', limit: 100 })).lines;
    await waitFor(async () => (await errorsOfPayments()).length > 0, 'errors of payments');
    expect((await errorsOfPayments()).filter((l) => l.line.includes('card declined'))).toEqual([]);
    /** Lines the server's filter leaves out at error: ticker's, and those payments' rule makes info. */
    const notErrors = (shown: { text: string; app?: string }[]) =>
      shown.filter(
        (l) => l.text.startsWith('ticker ') || (l.app === 'payments' && l.text.includes('card declined')),
      );

    // all apps, filtered in the page: payments' errors, none of ticker's lines nor the declined cards
    await toHash(page, '#/logs?level=error');
    await waitFor(
      async () => (await shownLines(page)).some((l) => l.text.includes('db connection failed')),
      'errors',
    );
    let shown = await shownLines(page);
    expect(notErrors(shown)).toEqual([]);
    expect(shown.every((l) => l.level === 'error' || l.level === 'fatal')).toBe(true);
    // live lines, judged in the page as they come: still none of them
    const before = shown.length;
    await waitFor(async () => (await shownLines(page)).length >= before + 10, 'live error lines');
    shown = await shownLines(page);
    expect(notErrors(shown)).toEqual([]);
    // the declined cards, found by the server's search, show the level its filter gives them
    await toHash(page, '#/app/payments?q=card%20declined');
    await waitFor(async () => (await shownLines(page)).length > 0, 'payments’ declined cards');
    expect((await shownLines(page)).every((l) => l.level === 'info')).toBe(true);

    // one app: the engine's search, then live lines judged the engine's way; its stderr lines are info
    await toHash(page, '#/app/ticker?level=error');
    await page.locator('.log-panel .empty-note').waitFor();
    /** The number of ticker's newest stderr line (`ticker <pid> err <n>`). */
    const lastErr = async () =>
      Math.max(
        0,
        ...(await daemon!.client.logs({ target: 'ticker', lines: 50 })).map((l) =>
          Number(/ err (\d+)$/.exec(l.line)?.[1] ?? 0),
        ),
      );
    const seen = await lastErr();
    await waitFor(async () => (await lastErr()) >= seen + 20, 'four more stderr lines of ticker');
    expect(await page.locator('.log-lines .ll').count()).toBe(0);
    await toHash(page, '#/app/ticker?q=err');
    await waitFor(async () => (await shownLines(page)).length > 0, 'ticker’s err lines');
    expect((await shownLines(page)).every((l) => l.level === 'info')).toBe(true);
    // no later test needs payments' live lines, only those in its files: stopped, it stops loading the
    // daemon (and any page on all apps) with 40 lines a second
    await daemon!.client.stop('payments');
  });

  it('draws a busy app’s live lines a few times a second, not once a message', async () => {
    // ticker sends a message every 50 ms; each drawn alone, the page's renderer never rested
    await toHash(page, '#/app/ticker');
    await page.locator('.log-lines .ll').first().waitFor();
    // until 40 rows came (a deadline, not a fixed window): drawn once per message they take ~40 draws,
    // in batches of 200 ms no more than the 200 ms periods that passed (a few more if the renderer lags)
    const draws = await page.evaluate(async () => {
      const list = document.querySelector('.log-lines')!;
      let appends = 0;
      let rows = 0;
      const started = performance.now();
      await new Promise<void>((resolve) => {
        const deadline = setTimeout(resolve, 20_000);
        const observer = new MutationObserver((records) => {
          const added = records.reduce((n, r) => n + r.addedNodes.length, 0);
          if (added === 0) return;
          appends += 1;
          rows += added;
          if (rows < 40) return;
          observer.disconnect();
          clearTimeout(deadline);
          resolve();
        });
        observer.observe(list, { childList: true });
      });
      return { appends, rows, periods: Math.ceil((performance.now() - started) / 200) };
    });
    expect(draws.rows).toBeGreaterThanOrEqual(40);
    expect(draws.appends).toBeLessThanOrEqual(draws.periods + 4);
    expect(draws.appends).toBeLessThan(draws.rows / 2);
    // the last test that needs ticker's live lines (later ones read its files or name it in events)
    await daemon!.client.stop('ticker');
  });

  it('shows the lines the server’s level filter raised before a crash at that level, not at their own', async () => {
    const crashLine = async () =>
      (await daemon!.client.searchLogs({ target: 'crashed', level: 'error', limit: 10 })).lines.find((l) =>
        l.line.startsWith('crashing with exit code'),
      );
    await waitFor(crashLine, 'the server’s search to find crashed’s last words at error');
    await toHash(page, '#/app/crashed?level=error');
    await page.locator('.app-title h1', { hasText: 'crashed' }).waitFor();
    await waitFor(
      async () => (await shownLines(page)).some((l) => l.text.startsWith('crashing with exit code')),
      'the crash line in the page',
    );
    // it said info: under a filter of error and worse
    for (const line of await shownLines(page)) expect(['error', 'fatal'], line.text).toContain(line.level);
  });

  it('keeps a JSON line’s own level when the rules change and the rows take the new rules', async () => {
    // JSON log files: `db failed` carries its own level (pino's 50: error), `plain line one` none
    await daemon!.client.start([spec('jsonlog', 'structured.js', { logFormat: 'json' })]);
    await toHash(page, '#/app/jsonlog');
    const levelOf = async (text: string) => (await shownLines(page)).find((l) => l.text === text)?.level;
    await waitFor(async () => (await levelOf('db failed')) === 'error', 'jsonlog’s db failed');
    expect(await levelOf('plain line one')).toBe('info');
    // rules that would call both lines something else: the levels they were captured with stay, as the
    // server's search keeps them
    await daemon!.client.request('config.set', {
      target: 'jsonlog',
      changes: {
        log_rules: [
          { match: 'db failed', level: 'warn' },
          { match: '^plain line', level: 'warn' },
        ],
      },
    });
    const restyled = page.locator('.log-lines[data-restyled]');
    await restyled.waitFor({ state: 'attached' });
    expect(await levelOf('db failed')).toBe('error');
    expect(await levelOf('plain line one')).toBe('info');
    const found = await daemon!.client.searchLogs({ target: 'jsonlog', level: 'error', limit: 10 });
    expect(found.lines.map((l) => l.line)).toContain('db failed');
    await daemon!.client.delete('jsonlog');
  });

  it('shows a line’s text without its terminal colours and control characters', async () => {
    // `plain \x1b[31mred\x1b[0m \x07bell \u009b2J csi\ttab end`
    await daemon!.client.start([spec('colors', 'control-chars.js')]);
    await toHash(page, '#/app/colors');
    const row = page.locator('.log-lines .ll-x', { hasText: 'plain' });
    await row.waitFor();
    expect(await row.textContent()).toBe('plain red bell  csi\ttab end');
    await daemon!.client.delete('colors');
  });

  it('cuts a 100 KB line to its first 1,000 characters, with a toggle that opens it in place, live, from the REST tail and as the last error', async () => {
    // long-line.js: `short line`, then `long:` + 100 KiB of `y` + `:end`
    const whole = `long:${'y'.repeat(100 * 1024)}:end`;
    /**
     * Checks the cut `text` of `tab` (the line `whole` by default), opens it with Enter (a copy gives the
     * whole line), cuts it with Space.
     */
    const checkCut = async (
      tab: Page,
      text = tab.locator('.log-lines .ll-x', { hasText: 'long:' }),
      line = whole,
    ) => {
      const hidden = (line.length - 1000).toLocaleString('en-US');
      await text.waitFor();
      const more = text.locator('button.ll-more');
      expect(await text.getAttribute('data-chars')).toBe(String(line.length));
      expect(await text.textContent()).toBe(line.slice(0, 1000));
      expect(await more.getAttribute('aria-expanded')).toBe('false');
      expect(await more.getAttribute('data-label')).toBe(`… ${hidden} more characters`);
      expect(await more.getAttribute('aria-label')).toBe(`${hidden} more characters: show the whole line`);
      // about 7 rows of text, not the ~13,000 px of the whole line
      expect((await text.boundingBox())!.height).toBeLessThan(300);
      await more.focus();
      await tab.keyboard.press('Enter');
      expect(await more.getAttribute('aria-expanded')).toBe('true');
      expect(await more.getAttribute('data-label')).toBe('show less');
      expect(await text.textContent()).toBe(line);
      const copied = await text.evaluate((cell) => {
        const selection = window.getSelection()!;
        selection.selectAllChildren(cell);
        const copy = selection.toString();
        selection.removeAllRanges();
        return copy;
      });
      expect(copied).toBe(line);
      await tab.keyboard.press(' ');
      expect(await more.getAttribute('aria-expanded')).toBe('false');
      expect(await text.textContent()).toBe(line.slice(0, 1000));
      expect(await tab.evaluate(() => document.activeElement?.className)).toBe('ll-more');
    };
    // all apps followed before the app starts: its lines come over the socket, in the live batches
    await toHash(page, '#/logs');
    await page.locator('.log-count', { hasText: / lines?$/ }).waitFor();
    await daemon!.client.start([
      spec('longline', 'long-line.js', {
        env: { PATH: process.env.PATH ?? '', PARTIAL: '0', STAY: '1' },
        // an error by the app's rule: the log summary's last error too
        logRules: [{ match: '^long:', level: 'error' }],
      }),
    ]);
    await checkCut(page);
    // the plain tail of the REST API (not followed)
    await toHash(page, '#/app/longline?follow=0');
    await page.locator('.app-title h1', { hasText: 'longline' }).waitFor();
    await checkCut(page);
    // the summary above the lines: its last error (the daemon's 2,000 characters of it) is cut the same way
    await checkCut(page, page.locator('.ls-error code'), `${whole.slice(0, 1999)}…`);
    // its templates table: the template and the sample of its tooltip cut to 300 characters, in one row
    const template = page.locator('.templates .tpl code', { hasText: 'long:' });
    expect(await template.textContent()).toBe(`${whole.slice(0, 299)}…`);
    expect(await template.getAttribute('title')).toBe(`${whole.slice(0, 299)}…`);
    expect((await template.boundingBox())!.height).toBeLessThan(30);
    // the page's filter on all apps reads the whole line: `y:end` is past the cut
    await toHash(page, '#/logs?follow=0&q=y%3Aend');
    await page.locator('.log-count', { hasText: /^1 line$/ }).waitFor();
    expect((await shownLines(page)).map((l) => l.text.length)).toEqual([1000]);
    await daemon!.client.delete('longline');
  });

  it('searches plain text as text and /…/ as a regular expression, and says when one does not parse', async () => {
    // `[payment]` is literal text: no line of payments holds it (as a character class, nearly all would match)
    for (const hash of [
      '#/app/payments?q=%5Bpayment%5D',
      '#/logs?q=%5Bpayment%5D',
      '#/logs?app=payments&q=%5Bpayment%5D',
    ]) {
      await toHash(page, hash);
      await page.locator('.log-panel .empty-note', { hasText: 'No lines match these filters' }).waitFor();
      expect(await page.locator('.log-lines .ll').count()).toBe(0);
    }
    // text ignores case on the server as in the page
    await toHash(page, '#/app/payments?q=PAYMENT%20FAILED');
    await waitFor(async () => (await shownLines(page)).length > 0, 'lines found case-insensitively');
    expect((await shownLines(page)).every((l) => l.text.includes('payment failed'))).toBe(true);
    await toHash(page, '#/app/payments?q=%2Fpay(ment)%3F%20fail%2F');
    await waitFor(async () => (await shownLines(page)).length > 0, 'lines of the regular expression');
    expect((await shownLines(page)).every((l) => /pay(ment)? fail/i.test(l.text))).toBe(true);
    // a regular expression that does not parse is an error on all apps as on one app
    for (const hash of ['#/logs?q=%2F%5Bunclosed%2F', '#/app/payments?q=%2F%5Bunclosed%2F']) {
      await toHash(page, hash);
      await page
        .locator('[data-log-error]', { hasText: '/[unclosed/ is not a valid regular expression' })
        .waitFor();
      expect(await page.locator('.log-panel .empty-note').count()).toBe(0);
    }
  });

  it('says when a search returned only the newest 500 of its matches', async () => {
    await waitFor(async () => {
      const found = await daemon!.client.searchLogs({ target: 'flood', grep: 'GET', limit: FLOOD_LINES });
      return found.lines.length > 600;
    }, 'flood’s lines in its files');
    await toHash(page, '#/app/flood?q=GET&follow=0');
    await page
      .locator('[data-log-note]', { hasText: /Showing the newest 500 of [\d,]+ or more matches/ })
      .waitFor();
    expect(await page.locator('.log-lines .ll').count()).toBe(500);
    // a search with fewer matches than the limit says only what it read
    await toHash(page, '#/app/flood?q=no-such-text-anywhere&follow=0');
    await page.locator('[data-log-note]', { hasText: /^Searched [\d,]+ lines\.$/ }).waitFor();
  });

  it('keeps a 100-character app name within the page at 1280×800 and 390×844', async () => {
    // the phone's tab opens and signs in while the checks at 1280×800 run
    const phoneReady = signedIn(390, 844);
    phoneReady.catch(() => undefined);
    await toHash(page, '#/');
    const row = page.locator(`tr[data-row="${LONG_NAME}"]`);
    await row.waitFor();
    expect(await row.locator('a.app-name').getAttribute('title')).toBe(LONG_NAME);
    const overflow = (tab: Page, selector: string) =>
      tab
        .locator(selector)
        .first()
        .evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(await overflow(page, '.table-wrap')).toBeLessThanOrEqual(0);
    expect(await overflow(page, 'html')).toBeLessThanOrEqual(0);
    await toHash(page, `#/app/${LONG_NAME}`);
    await page.locator('.chart .u-legend').first().waitFor();
    expect(await overflow(page, 'html')).toBeLessThanOrEqual(0);

    const phone = await phoneReady;
    // the logs of all apps paused: the long name is in its app filter, not in a line, and following
    // every app's lines (~60 a second) into a phone's tab only loads the machine (under load its
    // renderer then missed the 30 s of the width check)
    for (const hash of ['#/', '#/logs?follow=0', '#/events', `#/app/${LONG_NAME}`]) {
      await toHash(phone, hash);
      await phone.locator('main .panel').first().waitFor();
      // the charts (their legend names the app) load with the app view
      if (hash.startsWith('#/app/')) await phone.locator('.chart .u-legend').first().waitFor();
      if (hash.startsWith('#/logs') || hash === '#/events')
        await phone.locator(`option[value="${LONG_NAME}"]`).waitFor({ state: 'attached' });
      expect({ hash, overflow: await overflow(phone, 'html') }).toEqual({ hash, overflow: 0 });
      if (hash === '#/') expect(await overflow(phone, '.table-wrap')).toBeLessThanOrEqual(0);
    }
    await phone.close();
  });

  it('opens, reads and restarts apps named in other scripts through percent-encoded paths', async () => {
    // 66 CJK characters: the longest such name (200 UTF-8 bytes), twice as wide as its length
    const wide = '注文'.repeat(33);
    await daemon!.client.start([
      spec('заказы-api', 'ticker.js', { env: { PATH: process.env.PATH ?? '', TICK_MS: '200' } }),
      spec(wide, 'silent.js'),
    ]);
    const [before] = await daemon!.client.describe('заказы-api');
    await toHash(page, '#/');
    await page.locator('tr[data-row="заказы-api"] a.app-name').click();
    await waitFor(
      async () => (await page.evaluate(() => location.hash)) === `#/app/${encodeURIComponent('заказы-api')}`,
      'the app view of заказы-api',
    );
    await page.locator('.app-title h1', { hasText: 'заказы-api' }).waitFor();
    await page
      .locator('.log-lines .ll', { hasText: /ticker \d+ line \d+/ })
      .first()
      .waitFor();
    await page.locator('button[data-action="restart"]').click();
    await page.locator('[data-outcome]', { hasText: 'restarted' }).waitFor();
    const [after] = await daemon!.client.describe('заказы-api');
    expect(after!.pid).not.toBe(before!.pid);

    // the view draws its charts from two samples (the daemon takes one every 2 s) and reloads them only
    // every 10 s: opened before the second, it would wait out that reload
    await waitFor(
      async () =>
        (await daemon!.client.metricsHistory({ target: wide, sinceMs: 3_600_000 })).some(
          (h) => h.t.length >= 2,
        ),
      `two samples of ${wide}`,
    );
    await toHash(page, `#/app/${encodeURIComponent(wide)}`);
    await page.locator('.chart .u-legend').first().waitFor();
    const overflow = await page.locator('html').evaluate((el) => el.scrollWidth - el.clientWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await daemon!.client.delete('заказы-api');
    await daemon!.client.delete(wide);
  });

  it('reads the events it missed while its socket was down once it reconnects', async () => {
    const tab = await newTab(1280, 800);
    // the page's socket runs through a proxy the test can cut, as a dropped network would
    const cuts: (() => Promise<void>)[] = [];
    await tab.routeWebSocket(/\/api\/v1\/ws$/, (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      cuts.push(async () => {
        await server.close({ code: 4000, reason: 'cut by the test' });
        await ws.close({ code: 4000, reason: 'cut by the test' });
      });
    });
    await signIn(tab);
    await toHash(tab, '#/events');
    await tab.locator('.conn', { hasText: 'live' }).waitFor();
    await cuts.at(-1)!();
    await tab.locator('.conn', { hasText: 'reconnecting' }).waitFor();
    // the page retries after a second: this event happens before, with no socket to carry it
    const message = `emitted while the socket was down ${Date.now()}`;
    await daemon!.client.emitEvent({ name: 'deploy.gap', message });
    await tab.locator('.conn', { hasText: 'live' }).waitFor({ timeout: 10_000 });
    await tab.locator('.ev-msg', { hasText: message }).waitFor({ timeout: 10_000 });
    expect(cuts.length).toBe(2);
    await tab.close();
  });

  it('lines up the app column of the events list whatever the kind before it', async () => {
    const short = `short kind ${Date.now()}`;
    const long = `long kind ${Date.now()}`;
    await daemon!.client.emitEvent({ name: 'x', app: 'ticker', message: short });
    await daemon!.client.emitEvent({ name: 'a.much.longer.event.name', app: 'payments', message: long });
    await toHash(page, '#/events');
    await page.locator('.ev-msg', { hasText: long }).waitFor();
    const left = (message: string) =>
      page
        .locator('.event', { has: page.locator('.ev-msg', { hasText: message }) })
        .locator('.ev-app')
        .evaluate((element) => element.getBoundingClientRect().left);
    expect(await left(short)).toBe(await left(long));
  });

  it('says when a job runs next, and lists a run started with Run now at once (it waited for the 15 s poll)', async () => {
    await toHash(page, '#/');
    expect(await page.locator('tr[data-row="nightly"] .sub').textContent()).toMatch(
      /^job · next in \d+ [hms]\b/,
    );
    await toHash(page, '#/app/nightly');
    expect(await page.locator('[data-next-run]').textContent()).toMatch(/^in \d+ [hms]\b/);
    await page.locator('.empty-note', { hasText: 'No runs yet.' }).waitFor();
    await page.locator('button', { hasText: 'Run now' }).click();
    // the runs are polled every 15 s: a deadline well under it shows the table followed the run's events
    await page.locator('table.runs tbody tr').first().waitFor({ timeout: 8_000 });
    expect(await page.locator('table.runs tbody tr').first().textContent()).toContain('user');
  });

  it('says crash loop of an app that restarted three times, after more events than the page holds', async () => {
    // three crashes of runs longer than min_uptime (no unstable restart to tell), then a run that stays
    await daemon!.client.start([
      spec('looper', 'crash-then-run.js', {
        args: [join(daemon!.home, 'looper.marker')],
        env: { PATH: process.env.PATH ?? '', CRASHES: '3', CRASH_AFTER_MS: '150', HOLD_MB: '1' },
        minUptimeMs: 50,
        restartDelayMs: 50,
      }),
    ]);
    await waitFor(async () => {
      const [looper] = (await daemon!.client.list()).filter((p) => p.name === 'looper');
      return looper?.status === 'online' && looper.restarts === 3 && looper.unstableRestarts === 0;
    }, 'looper online after 3 stable restarts');
    const status = page.locator('tr[data-row="looper"] .c-status');
    await toHash(page, '#/');
    await page
      .locator('tr[data-row="looper"] .c-status', { hasText: 'crash loop' })
      .waitFor({ timeout: 10_000 });
    // its restarts leave the page's events behind the flood: the row's own count keeps the label
    await floodEvents();
    await toHash(page, '#/');
    await page.locator('tr[data-row="looper"]').waitFor();
    expect(await status.textContent()).toContain('crash loop');
    const response = await fetch(`${api!.url}/api/v1/processes`, {
      headers: { authorization: `Bearer ${api!.admin}` },
    });
    const { processes: rows } = (await response.json()) as { processes: ProcessInfo[] };
    expect(rows.find((p) => p.name === 'looper')?.recentRestarts).toEqual({ own: 3, primary: 0 });
    await daemon!.client.delete('looper');
  });

  it('lists an app’s events and the problems in the events view after other events filled the page’s memory', async () => {
    await floodEvents();
    const { events } = await daemon!.client.events({ limit: 5000 });
    const ofCrasher = events.filter((e) => e.app === 'crasher');
    const problem = events.findLast((e) => e.severity !== 'info');
    expect(ofCrasher.length).toBeGreaterThan(0);
    expect(problem?.message).toMatch(/\w/);

    // the app's events were read, then dropped at once behind the newer ones: "No event matches"
    await toHash(page, '#/events?app=crasher');
    await page.locator('.ev-msg', { hasText: ofCrasher.at(-1)!.message }).waitFor({ timeout: 10_000 });
    expect(await page.locator('.events .event').count()).toBe(ofCrasher.length);
    // a severity read only the events held, all info here
    await toHash(page, '#/events?severity=warning');
    await page.locator('.ev-msg', { hasText: problem!.message }).first().waitFor({ timeout: 10_000 });
  });

  it('says what the last problem was after more info events than the page holds, open or loaded since', async () => {
    await floodEvents();
    const { events } = await daemon!.client.events({ limit: 5000 });
    const problem = events.findLast((e) => e.severity !== 'info')!;
    expect(events.filter((e) => e.seq > problem.seq).length).toBeGreaterThan(EVENTS_KEPT);
    // the page open through the flood, and one loaded after it (it read the newest 200 events)
    await toHash(page, '#/');
    const fresh = await signedIn(1280, 800);
    for (const tab of [page, fresh]) {
      const last = tab.locator('.fact.problem');
      await last.locator('.problem-link', { hasText: problem.message }).waitFor({ timeout: 10_000 });
      expect(await last.textContent()).not.toContain('none recorded');
    }
    await fresh.close();
  });

  it('says an app of the log view is not there, by an old link or deleted under the open view, instead of loading for ever', async () => {
    await toHash(page, '#/logs?app=no-such-app');
    await page.locator('[data-log-gone]', { hasText: 'There is no app called no-such-app' }).waitFor();
    expect(await page.locator('.log-count').count()).toBe(0);

    await daemon!.client.start([spec('gone-soon', 'silent.js')]);
    await toHash(page, '#/logs?app=gone-soon');
    await page.locator('.log-count', { hasText: /^\d+ lines?$/ }).waitFor({ timeout: 10_000 });
    await daemon!.client.delete('gone-soon');
    await page.locator('[data-log-gone]', { hasText: 'There is no app called gone-soon' }).waitFor();
    expect(await page.locator('[data-app-select]').inputValue()).toBe('gone-soon');
  });

  it('keeps the log lines it shows while the server cannot be reached, and follows again once it can', async () => {
    const tab = await context.newPage();
    await tab.setViewportSize({ width: 1280, height: 800 });
    // the server "stops": its socket and every API call fail as a refused connection would
    let isDown = false;
    const cuts: (() => Promise<void>)[] = [];
    await tab.routeWebSocket(/\/api\/v1\/ws$/, (ws: WebSocketRoute) => {
      if (isDown) {
        void ws.close({ code: 4000, reason: 'server down (test)' });
        return;
      }
      const server = ws.connectToServer();
      cuts.push(async () => {
        await server.close({ code: 4000, reason: 'cut by the test' });
        await ws.close({ code: 4000, reason: 'cut by the test' });
      });
    });
    await tab.route(/\/api\/v1\//, (route) => (isDown ? route.abort('connectionrefused') : route.fallback()));
    // ticker and payments are stopped by now: an app of its own prints a line every 200 ms
    await daemon!.client.start([
      spec('beat', 'ticker.js', { env: { PATH: process.env.PATH ?? '', TICK_MS: '200' } }),
    ]);
    await signIn(tab);
    await toHash(tab, '#/logs?app=beat');
    await tab.locator('.log-count', { hasText: /^[1-9][\d,]* lines?$/ }).waitFor({ timeout: 10_000 });
    await tab.locator('.conn', { hasText: 'live' }).waitFor();

    isDown = true;
    await cuts.at(-1)!();
    await tab.locator('[data-log-error]').waitFor({ timeout: 10_000 });
    // they were all gone: "0 lines", "No lines yet."
    expect(await tab.locator('[data-log-error]').textContent()).toMatch(
      /^Could not read the logs: the Velos API server cannot be reached; the lines shown are the last ones read\.$/,
    );
    const kept = await tab.locator('.log-lines .ll').count();
    expect(kept).toBeGreaterThan(0);
    expect(await tab.locator('.log-count').textContent()).toBe(
      `${kept.toLocaleString('en-US')} line${kept === 1 ? '' : 's'}`,
    );

    isDown = false;
    await tab.locator('.conn', { hasText: 'live' }).waitFor({ timeout: 20_000 });
    await tab.locator('[data-log-error]').waitFor({ state: 'detached', timeout: 10_000 });
    const newest = await tab.locator('.log-lines .ll-x').last().textContent();
    await waitFor(
      async () => (await tab.locator('.log-lines .ll-x').last().textContent()) !== newest,
      'a line followed after the server came back',
    );
    await tab.close();
    await daemon!.client.delete('beat');
  });

  it('searches all apps in the server when filtered, not only the newest lines it read of them', async () => {
    const needle = `needle-${Date.now()}`;
    await daemon!.client.start([spec('needle', 'echo-env.js', { args: [needle] })]);
    await waitFor(
      async () => (await daemon!.client.logs({ target: 'needle', lines: 5 })).length > 0,
      'the line of needle',
    );
    // 3,000 newer lines of three apps: the page read the newest 1,000 of each app and filtered the newest 2,000
    const hay = ['hay-a', 'hay-b', 'hay-c'];
    await daemon!.client.start(
      hay.map((name) =>
        spec(name, 'chatty.js', {
          autorestart: false,
          env: { PATH: process.env.PATH ?? '', COUNT: '1000', RATE: '0' },
        }),
      ),
    );
    for (const name of hay)
      await waitFor(
        async () =>
          (await daemon!.client.logs({ target: name, lines: 1 })).some((l) => l.line === 'line 1000'),
        `the lines of ${name}`,
      );
    await toHash(page, `#/logs?follow=0&q=${needle}`);
    await page.locator('.log-count', { hasText: /^1 line$/ }).waitFor({ timeout: 10_000 });
    expect(await shownLines(page)).toEqual([
      { level: 'info', app: 'needle', text: expect.stringContaining(needle) },
    ]);
    for (const name of [...hay, 'needle']) await daemon!.client.delete(name);
  });

  it('shares the first lines of all apps among them: the newest of each app, not 300 of every one', async () => {
    // five more apps of 300 lines each: with the others, more than the 2,000 rows the panel keeps
    const apps = ['many-a', 'many-b', 'many-c', 'many-d', 'many-e'];
    await daemon!.client.start(
      apps.map((name) =>
        spec(name, 'chatty.js', {
          autorestart: false,
          env: { PATH: process.env.PATH ?? '', COUNT: '300', RATE: '0' },
        }),
      ),
    );
    for (const name of apps)
      await waitFor(
        async () =>
          (await daemon!.client.logs({ target: name, lines: 1 })).some((l) => l.line === 'line 300'),
        `the lines of ${name}`,
      );
    const appCount = new Set((await daemon!.client.list()).map((p) => p.name)).size;
    const tab = await newTab(1280, 800);
    const backlogs: number[] = [];
    await tab.routeWebSocket(/\/api\/v1\/ws$/, (ws: WebSocketRoute) => {
      const server = ws.connectToServer();
      server.onMessage((message) => {
        const parsed = JSON.parse(String(message)) as { type: string; target?: string; lines?: unknown[] };
        if (parsed.type === 'logs' && parsed.target === 'all' && backlogs.length === 0)
          backlogs.push(parsed.lines?.length ?? 0);
        ws.send(message);
      });
    });
    await signIn(tab);
    await toHash(tab, '#/logs');
    // the count can say 0 lines before the backlog's message has come (seen on a machine at load 25)
    await waitFor(() => backlogs.length === 1, 'the backlog of all apps over the WebSocket');
    await tab.locator('.log-count', { hasText: /^[\d,]+ lines?$/ }).waitFor({ timeout: 10_000 });
    // each app's newest ceil(2000 / apps): the server sent 300 of each, the panel dropped the oldest
    expect(backlogs[0]).toBeLessThanOrEqual(Math.ceil(2000 / appCount) * appCount);
    expect(backlogs[0]).toBeGreaterThanOrEqual(apps.length * Math.ceil(2000 / appCount));
    await waitFor(
      async () => {
        const shown = new Set((await shownLines(tab)).map((l) => l.app));
        return apps.every((name) => shown.has(name));
      },
      `lines of each of ${apps.join(', ')} in the panel`,
    );
    await tab.close();
    for (const name of apps) await daemon!.client.delete(name);
  });

  it('says when the server limits its requests (429), not that the connection dropped or the daemon is gone', async () => {
    // the page's first load and sign-in take about a dozen requests: the next ones are refused
    const limited = await startServer(daemon!.client, { rateLimitPerMinute: 12 });
    const tab = await context.newPage();
    try {
      await tab.goto(`${limited.url}/#/`);
      await tab.fill('#token', limited.admin);
      await tab.click('button[type=submit]');
      const banner = tab.locator('.banner', { hasText: 'The Velos API server is limiting this address' });
      await banner.waitFor({ timeout: 20_000 });
      expect(await banner.textContent()).toContain('more than 12 requests a minute from this address');
      // the socket may have come up before the limit: live, else rate-limited, never reconnecting
      expect(await tab.locator('.conn').textContent()).toMatch(/^\s*(live|rate-limited)\s*$/);
      // it said "The live connection dropped", and the daemon "unreachable" once a read was refused
      expect(await tab.getByText('The live connection dropped').count()).toBe(0);
      expect(await tab.locator('.summary .fact', { hasText: 'unreachable' }).count()).toBe(0);
    } finally {
      await tab.close();
      await limited.server.close();
    }
  });

  it('logged no console error', () => {
    expect(problems).toEqual([]);
  });
});
