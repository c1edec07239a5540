import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  busEvents,
  type CliResult,
  cleanupHomes,
  createHome,
  FIXTURES,
  type ListRow,
  listState,
  sharedHome,
  velos,
  velosOk,
  waitForStatus,
} from './helpers.js';

afterEach(cleanupHomes);

/** What a refused command must leave as it was: each process's name, status and pid. */
function brief(rows: ListRow[]): [string, string, number | null][] {
  return rows.map((row) => [row.name, row.status, row.pid]);
}

/** Asserts the error contract: non-zero exit, exactly one stderr line starting `velos:`. */
function expectCliError(result: CliResult): void {
  expect(result.code, `stdout: ${result.stdout}\nstderr: ${result.stderr}`).not.toBe(0);
  expect(result.code).not.toBeNull();
  const lines = result.stderr.trimEnd().split('\n');
  expect(lines, result.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(/^velos: \S/);
}

describe('bad input (CLI-3)', () => {
  // Every test here asserts that its command changed nothing: they share one home and daemon.
  const shared = sharedHome();

  it.each([
    [['start', 'fixtures/silent.js', '--bogus']],
    [['list', '--bogus']],
    [['stop', 'x', '--bogus']],
    [['logs', '--bogus']],
    [['ping', '--bogus']],
  ])('rejects an unknown flag: velos %j', async (args) => {
    const h = shared();
    expectCliError(await velos(args as string[], { home: h }));
    expect(await listState(h)).toEqual([]);
  });

  it('rejects an unknown command', async () => {
    const h = shared();
    expectCliError(await velos(['frobnicate'], { home: h }));
  });

  it('rejects start without a script', async () => {
    const h = shared();
    expectCliError(await velos(['start'], { home: h }));
    expect(await listState(h)).toEqual([]);
  });

  it('exits 2 for a bad option value or use, as for any command line it cannot take; 1 when the operation fails', async () => {
    const h = createHome();
    const usage = [
      ['start', 'fixtures/silent.js', '--max-memory-restart', 'xyz'],
      ['start', 'fixtures/silent.js', '--kill-timeout', 'abc'],
      ['start', 'fixtures/silent.js', '-i', 'abc'],
      ['start', 'fixtures/silent.js', '--max-restarts', '-3'],
      ['start', 'fixtures/silent.js', '--cron', 'bad'],
      ['start', 'fixtures/silent.js', '--watch-config'],
      ['logs', '--lines', 'abc'],
      ['logs', 'x', '--summary', '--level', 'loud'],
      ['events', '--limit', 'x'],
      ['runs', 'x', '--limit', '0'],
      ['describe', 'x', '--history', '--since', '99h'],
      ['alerts', 'add', 'x'],
      ['alerts', 'frob'],
      ['import', 'nginx'],
      ['startOrReload', 'fixtures/silent.js'],
    ];
    // none of them reaches a daemon: run at once
    const results = await Promise.all(usage.map((args) => velos(args, { home: h })));
    for (const [i, result] of results.entries()) {
      expect(result.code, `velos ${usage[i]!.join(' ')}: ${result.stderr}`).toBe(2);
      expectCliError(result);
    }
    const missing = await velos(['start', 'fixtures/does-not-exist.js'], { home: h });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('velos: script not found: fixtures/does-not-exist.js\n');
  });

  it('rejects start of a script that does not exist, and starts nothing', async () => {
    const h = shared();
    expectCliError(await velos(['start', 'fixtures/does-not-exist.js', '--name', 'ghost'], { home: h }));
    const rows = await listState(h);
    expect(rows.filter((r) => r.status === 'online')).toEqual([]);
    // what a failed start may have recorded must not reach the next test of the shared home
    if (rows.length > 0) await velosOk(['delete', 'all'], { home: h });
  });

  it('rejects start of a process file that does not exist with one not-found line', async () => {
    const h = shared();
    const result = await velos(['start', 'ecosystem.missing.config.js'], { home: h });
    expectCliError(result);
    expect(result.stderr.trim()).toMatch(
      /^velos: process file not found: \/\S+\/ecosystem\.missing\.config\.js$/,
    );
    expect(await listState(h)).toEqual([]);
  });

  it.each([[['abc']], [['0']], [['1.5']]])('rejects scale %j as a usage error (exit 2)', async (count) => {
    const h = shared();
    const result = await velos(['scale', 'app', ...(count as string[])], { home: h });
    expectCliError(result);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('(see velos scale --help)');
  });

  it.each([
    [['-i', '1.5']],
    [['-i', 'many']],
    [['--max-restarts', '-1']],
    [['--log-format', 'xml']],
    [['--kill-timeout', 'soon']],
    [['--stop-exit-codes', 'zero']],
  ])('rejects a bad option value: %j', async (extra) => {
    const h = shared();
    expectCliError(await velos(['start', 'fixtures/silent.js', '--name', 'bad', ...extra], { home: h }));
    expect(await listState(h)).toEqual([]);
  });

  describe('with apps running', () => {
    // apps of their own names (fine, gone-*, taken) on one home and daemon of their own
    const running = sharedHome();

    it('refuses a file with a missing script and a missing interpreter whole, naming both, changing nothing', async () => {
      const h = running();
      await velosOk(['start', join(FIXTURES, 'silent.js'), '--name', 'before'], { home: h });
      await waitForStatus(h, 'before', 'online');
      const before = brief(await listState(h));
      const project = join(h, 'project');
      mkdirSync(project, { recursive: true });
      writeFileSync(join(project, 'server.js'), '');
      const file = join(h, 'two-missing.toml');
      writeFileSync(
        file,
        `[[apps]]
name = "good"
script = "${join(FIXTURES, 'silent.js')}"

[[apps]]
name = "api"
script = "sever.js"
cwd = "${project}"

[[apps]]
name = "worker"
script = "${join(FIXTURES, 'silent.js')}"
interpreter = "velos-no-such-python"
`,
      );
      const result = await velos(['start', file], { home: h });
      expectCliError(result);
      expect(result.stderr).toBe(
        `velos: two-missing.toml: 2 apps cannot start: api: script not found: ${join(project, 'sever.js')} (did you mean server.js?); ` +
          "worker: interpreter velos-no-such-python not found on the app's PATH or in node_modules/.bin (install it, or give its path: --interpreter <path>, interpreter in a config file)\n",
      );
      expect(brief(await listState(h))).toEqual(before);
      // a dry run refuses what the start refuses, with the same line and exit code
      const dry = await velos(['start', file, '--dry-run'], { home: h });
      expect([dry.code, dry.stdout, dry.stderr]).toEqual([result.code, '', result.stderr]);
    });

    it("refuses a config reload that adds an app whose script is missing: the file's apps keep running", async () => {
      const h = running();
      const file = join(h, 'stack.toml');
      const good = `[[apps]]\nname = "stack-web"\nscript = "${join(FIXTURES, 'silent.js')}"\n`;
      writeFileSync(file, good);
      await velosOk(['start', file], { home: h });
      await waitForStatus(h, 'stack-web', 'online');
      const before = brief(await listState(h));
      writeFileSync(file, `${good}\n[[apps]]\nname = "stack-api"\nscript = "${join(h, 'stack-api.js')}"\n`);
      const result = await velos(['config', 'reload', file], { home: h });
      expectCliError(result);
      expect(result.stderr).toContain(`stack-api cannot start: script not found: ${join(h, 'stack-api.js')}`);
      expect(brief(await listState(h))).toEqual(before);
      // refused before any step (config.rejected), not a step that failed and was undone (config.rolled_back)
      const events = await busEvents(h, ['config.rejected', 'config.rolled_back']);
      expect(events.filter((event) => event.fields?.file === file).map((event) => event.kind)).toEqual([
        'config.rejected',
      ]);
    });

    it('refuses a file with a cwd that is not there whole, and fails an app whose script went later', async () => {
      const h = running();
      const before = brief(await listState(h));
      const later = join(h, 'later.js');
      writeFileSync(later, 'setInterval(() => {}, 1000);\n');
      const file = join(h, 'some-missing.toml');
      const apps = `[[apps]]
name = "gone-later"
script = "${later}"

[[apps]]
name = "fine"
script = "${join(FIXTURES, 'silent.js')}"
`;
      // a deploy to a path not made yet: refused as a missing script is, nothing started
      const goneCwd = `[[apps]]
name = "gone-cwd"
script = "silent.js"
cwd = "${join(h, 'no-such-dir')}"
`;
      writeFileSync(file, `${goneCwd}\n${apps}`);
      const result = await velos(['start', file], { home: h });
      expect([result.code, result.stderr]).toEqual([
        1,
        `velos: some-missing.toml: gone-cwd cannot start: cwd not found: ${join(h, 'no-such-dir')}\n`,
      ]);
      expect(brief(await listState(h))).toEqual(before);

      writeFileSync(file, apps);
      await velosOk(['start', file], { home: h });
      await waitForStatus(h, 'gone-later', 'online');

      // a script removed after its start is that app's spawn failure at its restart, the others run on
      rmSync(later);
      const again = await velos(['start', 'gone-later'], { home: h });
      expectCliError(again);
      expect(again.stderr).toMatch(/^velos: gone-later: .*later\.js.*\n$/);
      const rows = await listState(h);
      expect(rows.find((r) => r.name === 'gone-later')?.status).toBe('errored');
      expect(rows.find((r) => r.name === 'fine')?.status).toBe('online');
    });

    it('rejects a second app with a name in use', async () => {
      const h = running();
      await velosOk(['start', 'fixtures/silent.js', '--name', 'taken'], { home: h });
      await waitForStatus(h, 'taken', 'online');
      expectCliError(await velos(['start', 'fixtures/silent.js', '--name', 'taken'], { home: h }));
      expect((await listState(h)).filter((r) => r.name === 'taken')).toHaveLength(1);
    });
  });

  describe('unknown target', () => {
    // one app, 'present', that no command of these tests may touch
    const shared = sharedHome();
    beforeAll(async () => {
      await velosOk(['start', 'fixtures/silent.js', '--name', 'present'], { home: shared() });
      await waitForStatus(shared(), 'present', 'online');
    });

    it.each([
      [['stop', 'nope']],
      [['restart', 'nope']],
      [['delete', 'nope']],
      [['describe', 'nope']],
      [['logs', 'nope']],
      [['flush', 'nope']],
      [['stop', '4242']],
      [['describe', '4242', '--json']],
    ])('velos %j exits non-zero with one line', async (args) => {
      const home = shared();
      const [before] = await listState(home);
      expectCliError(await velos(args, { home }));
      const rows = await listState(home);
      expect(rows.map((r) => r.name)).toEqual(['present']);
      // untouched: the same process, still online, not restarted
      expect(rows[0]).toMatchObject({ status: 'online', pid: before?.pid, restarts: 0 });
    });

    it('stop without a target is an error', async () => {
      expectCliError(await velos(['stop'], { home: createHome() }));
    });
  });
});
