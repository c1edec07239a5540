import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { parseCommandArgs } from '../src/parse-argv.js';
import { pm2OnlyCommandHint } from '../src/pm2/pm2-only-commands.js';

describe("PM2's command names", () => {
  it('updatePM2 is update, imonit and dashboard are monit (what pm2 7 runs for them)', () => {
    // pm2 7.0.4: updatePM2 and update both run pm2.update(); monit and dashboard run its dashboard,
    // imonit its legacy terminal monitor
    expect(findCommand('updatePM2')?.name).toBe('update');
    expect(findCommand('imonit')?.name).toBe('monit');
    expect(findCommand('dashboard')?.name).toBe('monit');
  });

  it('deepUpdate, which installs the latest PM2 first, names what to run instead', () => {
    expect(findCommand('deepUpdate')).toBeUndefined();
    expect(pm2OnlyCommandHint('deepUpdate')).toBe(
      "; PM2's deepUpdate installs the latest PM2, then updates the daemon: install the new velos (npm i -g velos), then run velos update",
    );
    expect(pm2OnlyCommandHint('cleardump')).toMatch(/state\.json and state\.json\.bak/);
    // pm2-logrotate's habit: pm2 set pm2-logrotate:max_size 10M
    for (const word of ['set', 'get', 'unset', 'multiset']) {
      expect(findCommand(word)).toBeUndefined();
      expect(pm2OnlyCommandHint(word)).toMatch(
        /pm2-logrotate.*--log-max-size 10M \(max_size\), --log-retain 30 \(retain\).*velos config unset <app> key removes an option of it$/,
      );
    }
    // a word of Velos's own, or of no one, gets no PM2 hint (nor does an Object.prototype name)
    for (const word of ['update', 'frobnicate', 'constructor', 'toString'])
      expect(pm2OnlyCommandHint(word)).toBeNull();
  });

  it("monitor <app> (PM2.io's switch) and ls -m (PM2's mini list) are refused with what Velos has instead", () => {
    const refusal = (command: string, argv: string[]) => {
      try {
        parseCommandArgs(findCommand(command)!, argv, command);
      } catch (error) {
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(refusal('monitor', ['api'])).toMatch(
      /^unexpected argument "api" for velos monitor; it shows every app .*PM2's monitor <app> turns on PM2\.io's hosted monitoring: Velos has velos metrics/,
    );
    expect(refusal('ls', ['-m'])).toBe(
      "unknown option -m for velos ls; PM2's mini list is velos list itself (one line a process), or velos list --ai (compact JSON) (see velos ls --help)",
    );
    expect(refusal('ls', ['--mini-list'])).toMatch(
      /^unknown option --mini-list for velos ls; PM2's mini list/,
    );
    expect(refusal('ls', ['-z'])).toBe('unknown option -z for velos ls (see velos ls --help)');
  });

  it("bin/velos.js's quick paths take every name of list and of monit, and no other", () => {
    const bin = readFileSync(fileURLToPath(new URL('../bin/velos.js', import.meta.url)), 'utf8');
    const namesOf = (constant: string) =>
      JSON.parse(new RegExp(`const ${constant} = (\\[[^\\]]*\\]);`).exec(bin)![1]!.replaceAll("'", '"'));
    for (const [constant, command] of [
      ['LIST_NAMES', 'list'],
      ['MONIT_NAMES', 'monit'],
    ] as const) {
      const spec = findCommand(command)!;
      expect(namesOf(constant), constant).toEqual([spec.name, ...(spec.aliases ?? [])]);
    }
  });
});
