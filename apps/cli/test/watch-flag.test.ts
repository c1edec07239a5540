import { describe, expect, it } from 'vitest';
import { findCommand } from '../src/command-table.js';
import { setWatchOfTargets } from '../src/commands/watch-flag.js';
import { parseCommandArgs } from '../src/parse-argv.js';
import { processInfo } from './sample-processes.js';

/** A daemon with a watched app of two instances, an unwatched app and a watched one in another namespace. */
function daemon() {
  const sets: string[] = [];
  const processes = [
    processInfo({ id: 0, name: 'api', hasWatch: true }),
    processInfo({ id: 1, name: 'api', hasWatch: true }),
    processInfo({ id: 2, name: 'worker' }),
    processInfo({ id: 3, name: 'cron', namespace: 'jobs', hasWatch: true }),
  ];
  return {
    sets,
    list: async () => processes,
    configSet: async (target: string, changes: Record<string, unknown>) => {
      sets.push(`${target} watch=${changes.watch}`);
      return {} as never;
    },
  };
}

describe("PM2's --watch on stop and restart", () => {
  it('is taken by stop and restart, not read as an app called --watch', () => {
    for (const command of ['stop', 'restart']) {
      const input = parseCommandArgs(findCommand(command)!, ['api', '--watch']);
      expect([input.args, input.options.watch]).toEqual([['api'], true]);
    }
  });

  it('stop --watch turns watch mode off for each watched app of the targets, once', async () => {
    const d = daemon();
    await setWatchOfTargets(d, ['0', 'api', 'worker', '/^cr/', 'ghost'], 'stop');
    expect(d.sets).toEqual(['api watch=false', 'cron watch=false']);
  });

  it('restart --watch toggles it: off where on, on where off', async () => {
    const d = daemon();
    await setWatchOfTargets(d, ['api', '1', 'worker', 'jobs'], 'restart');
    expect(d.sets).toEqual(['api watch=false', 'worker watch=true', 'cron watch=false']);
  });
});
