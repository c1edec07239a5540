import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  cleanupHomes,
  createHome,
  deleteApps,
  FIXTURES,
  listState,
  sharedHome,
  velos,
  velosOk,
  waitFor,
  withClient,
} from './helpers.js';

afterEach(cleanupHomes);

const LINES = join(FIXTURES, 'rule-lines.js');
const RULES = `log_rules = [
  { match = "^legacy call:", level = "warn" },
  { match = "cache miss", level = "info" },
]`;

function writeConfig(home: string, text: string): string {
  const dir = join(home, 'project');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, 'app.toml');
  writeFileSync(path, text);
  return path;
}

function app(name: string, extra = ''): string {
  return `[[apps]]\nname = "${name}"\nscript = "${LINES}"\n${extra}\n`;
}

/**
 * The lines `velos logs <app> --level warn` finds, once the app's four lines are captured (polled over
 * the daemon's socket: the CLI under test is the search).
 */
async function warnLines(home: string, name: string): Promise<string[]> {
  await waitFor(
    async () =>
      (await withClient(home, (client) => client.logs({ target: name, lines: 10 }))).some(
        (line) => line.line === 'all good',
      ),
    {
      message: `the lines of ${name} captured`,
    },
  );
  const { stdout } = await velosOk(['logs', name, '--level', 'warn', '--json'], { home });
  // one JSON object a line
  return stdout
    .trim()
    .split('\n')
    .filter((text) => text !== '')
    .map((text) => (JSON.parse(text) as LogLine).line);
}

async function pidOf(home: string, name: string): Promise<number> {
  return waitFor(
    async () =>
      (await listState(home)).find((row) => row.name === name && row.status === 'online')?.pid ?? undefined,
    {
      message: `${name} online`,
    },
  );
}

describe('log_rules: an app classifies its lines with its own rules first (ENG-1)', () => {
  // the first test and the reload one share a daemon: each deletes its apps; the reload's short grace is
  // in config.toml before the daemon starts (the first test reloads nothing)
  const shared = sharedHome();
  beforeAll(() => {
    writeFileSync(join(shared(), 'config.toml'), '[reload]\ngrace = "300ms"\n');
  });

  it('velos logs --level warn shows what a user rule makes a warning, not what one makes info', async () => {
    const home = shared();
    const file = writeConfig(
      home,
      app('ruled', RULES) + app('json', `log_format = "json"\n${RULES}`) + app('plain'),
    );
    await velosOk(['start', file], { home });
    expect(await warnLines(home, 'ruled')).toEqual([
      'DEPRECATED: x() is going away',
      'legacy call: /v1/users',
    ]);
    // without rules: the built-in classification
    expect(await warnLines(home, 'plain')).toEqual([
      'DEPRECATED: x() is going away',
      'ERROR cache miss for key user:1',
    ]);
    // a JSON log file keeps the level the rules gave at capture
    const json = await velosOk(['logs', 'json', '--lines', '10', '--json'], { home });
    const levels = Object.fromEntries(
      json.stdout
        .trim()
        .split('\n')
        .map((text) => JSON.parse(text) as { line: string; lvl?: string })
        .map((line) => [line.line, line.lvl]),
    );
    expect(levels).toMatchObject({
      'legacy call: /v1/users': 'warn',
      'ERROR cache miss for key user:1': 'info',
    });
    await deleteApps(home, ['ruled', 'json', 'plain']);
  });

  it("takes config.toml's [defaults] log_rules for every app of a file; an app's own list replaces them", async () => {
    const home = createHome();
    writeFileSync(join(home, 'config.toml'), `[defaults]\n${RULES}\n`);
    const file = writeConfig(
      home,
      app('inherits') + app('own', 'log_rules = [{ match = "^all good$", level = "warn" }]'),
    );
    await velosOk(['start', file], { home });
    expect(await warnLines(home, 'inherits')).toEqual([
      'DEPRECATED: x() is going away',
      'legacy call: /v1/users',
    ]);
    expect(await warnLines(home, 'own')).toEqual([
      'DEPRECATED: x() is going away',
      'ERROR cache miss for key user:1',
      'all good',
    ]);
  });

  it('a reload that changes log_rules applies them in place: the app keeps running', async () => {
    // a name of its own in the shared home: no line of the first test's ruled in its logs
    const home = shared();
    const file = writeConfig(home, app('reruled', RULES));
    await velosOk(['start', file], { home });
    const pid = await pidOf(home, 'reruled');
    expect(await warnLines(home, 'reruled')).toContain('legacy call: /v1/users');
    writeConfig(home, app('reruled', 'log_rules = [{ match = "^all good$", level = "warn" }]'));
    const reload = await velosOk(['config', 'reload', file], { home });
    expect(reload.stdout).toMatch(/updated in place reruled/);
    expect(await warnLines(home, 'reruled')).toEqual([
      'DEPRECATED: x() is going away',
      'ERROR cache miss for key user:1',
      'all good',
    ]);
    expect(await pidOf(home, 'reruled')).toBe(pid);
    await deleteApps(home, ['reruled']);
  });

  it('refuses a bad rule with one line naming the file, the key path and the line', async () => {
    const home = createHome();
    const file = writeConfig(
      home,
      app('bad', 'log_rules = [\n  { match = "ok", level = "warn" },\n  { match = "(", level = "warn" },\n]'),
    );
    const result = await velos(['start', file], { home });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(
      /app\.toml: apps\[0\]( \(bad\))?\.log_rules\[1\]\.match: expected a valid regular expression: .*\(line 6\)/,
    );
  });

  it('velos logs - --summary --rules <file> classifies stdin with the rules of a file', async () => {
    const home = createHome();
    const rules = join(home, 'rules.json');
    writeFileSync(rules, JSON.stringify([{ match: 'cache miss', level: 'info' }]));
    const input = 'ERROR cache miss for key 1\nERROR cache miss for key 2\nERROR boom\n';
    const plain = await velosOk(['logs', '-', '--summary', '--json'], { home, input });
    expect(JSON.parse(plain.stdout).summary.levels).toMatchObject({ error: 3 });
    const ruled = await velosOk(['logs', '-', '--summary', '--json', '--rules', rules], { home, input });
    expect(JSON.parse(ruled.stdout).summary.levels).toMatchObject({ error: 1, info: 2 });
    const refused = await velos(['logs', 'web', '--level', 'warn', '--rules', rules], { home });
    expect(refused.stderr).toMatch(/--rules goes with - \(stdin\)/);
  });
});
