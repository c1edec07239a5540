import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as config from '@velos/core/config';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { parseQuickStart, type QuickStartPlace, quickStartSpec } from '../src/commands/start-quick.js';
import { resolveStartTarget, specsFromFlags } from '../src/commands/start-spec.js';
import { parseCommandArgs } from '../src/parse-argv.js';

// Issue 17: `velos start <script>` runs from a small entry (dist/velos-start.js) that builds the app
// without the schema library; these tests hold it to what the full CLI builds from the same line.

let dir = '';
let home = '';
let where: QuickStartPlace;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-quick-'));
  home = join(dir, 'home');
  mkdirSync(home);
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'app.js'), 'setInterval(() => {}, 1000);\n');
  writeFileSync(join(dir, 'sub', 'inner.js'), '');
  writeFileSync(join(dir, 'server.py'), '');
  where = { cwd: dir, env: { PATH: process.env.PATH, FROM_SHELL: 'yes', EMPTY: '' }, cpuCount: 3 };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The spec the full CLI builds from `argv` (parse, target, flags, schema, defaults). */
function fullCliSpec(argv: string[]) {
  const spec = findCommand('start')!;
  const input = parseCommandArgs(spec, argv.slice(1));
  const target = resolveStartTarget(input.args[0]!, input, { ...where }, config);
  if (target.kind !== 'script') throw new Error(`not a script: ${target.kind}`);
  return { specs: specsFromFlags(target.script, input, { ...where }, config), input };
}

describe('quick start lines', () => {
  const same = [
    ['start', 'app.js'],
    ['start', 'app.js', '--name', 'web'],
    ['start', 'app.js', '-n', 'web'],
    ['start', 'app.js', '--name=web api'],
    ['start', '--name', 'web', 'app.js'],
    ['start', 'sub/inner.js', '--json'],
    ['start', '--ai', join(dir, 'app.js')],
    ['start', 'server.py', '--', '--port', '8080', '-s'],
    ['start', 'app.js', '--name', '-dash', '--', 'a b', '--json'],
    ['start', 'app.js', '--'],
    ['start', 'app.js', '--name', 'заказы-api'],
    ['start', 'app.js', '--name', '注文'],
    ['start', 'app.js', '--name', 'cafe\u0301-api'],
  ];
  it.each(same)('builds the same app as the full CLI: %j', (...argv) => {
    const quick = parseQuickStart(argv);
    expect(quick).not.toBeNull();
    const full = fullCliSpec(argv);
    expect([quickStartSpec(quick!, home, where)]).toEqual(full.specs);
    const mode = full.input.options.json ? 'json' : full.input.options.ai ? 'ai' : 'text';
    expect(quick!.mode).toBe(mode);
  });

  const others = [
    ['start'],
    ['start', 'velos.toml'],
    ['start', 'apps.JSON'],
    ['start', 'process.yml'],
    ['start', 'ecosystem.config.js'],
    ['start', 'app.config.cjs'],
    ['start', 'app.js', 'extra'],
    ['start', 'app.js', '-f'],
    ['start', 'app.js', '-i', '2'],
    ['start', 'app.js', '--watch'],
    ['start', 'app.js', '-s'],
    ['start', 'app.js', '--silent'],
    ['start', 'app.js', '--no-color'],
    ['start', 'app.js', '--help'],
    ['start', 'app.js', '-h'],
    ['start', 'app.js', '--json', '--ai'],
    ['start', 'app.js', '--name'],
    ['start', 'app.js', '--name', 'a', '--name', 'b'],
    ['start', 'app.js', '--name', 'all'],
    ['start', 'app.js', '--name', '12'],
    ['start', 'app.js', '--name', 'a/b'],
    ['start', 'app.js', '--name', '注'.repeat(67)],
    ['start', 'app.js', '--name', '٤٢'],
    ['start', 'app.js', '--dry-run'],
    ['start', 'app.js', '--no-daemon'],
    ['start', '-nweb', 'app.js'],
    ['list'],
    ['restart', 'app.js'],
  ];
  it.each(others)('leaves %j to the full CLI', (...argv) => {
    expect(parseQuickStart(argv)).toBeNull();
  });

  it('leaves what is not a regular file here to the full CLI (words, command lines, dirs, missing files)', () => {
    for (const arg of ['node', 'node -e 0', 'sub', 'missing.js', 'sub/missing.js']) {
      const quick = parseQuickStart(['start', arg]);
      expect(quick).not.toBeNull();
      expect(quickStartSpec(quick!, home, where)).toBeNull();
    }
  });

  it('leaves a start to the full CLI when config.toml exists (its [defaults] apply)', () => {
    const withConfig = join(dir, 'home-with-config');
    mkdirSync(withConfig);
    writeFileSync(join(withConfig, 'config.toml'), '[defaults]\nmax_restarts = 3\n');
    expect(quickStartSpec(parseQuickStart(['start', 'app.js'])!, withConfig, where)).toBeNull();
    expect(quickStartSpec(parseQuickStart(['start', 'app.js'])!, home, where)).not.toBeNull();
  });
});
