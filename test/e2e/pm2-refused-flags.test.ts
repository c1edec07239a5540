import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome } from './helpers.js';
import { copyCorpus, velosIn, warningsOf } from './pm2-helpers.js';

afterEach(cleanupHomes);

// PM2 start flags: those whose loss changes nothing are ignored with a warning, the others are refused
// with what Velos does instead (a usage error, nothing started)
describe('PM2 start flags Velos does not take', () => {
  it('--v8 and --event-loop-inspector (@pm2/io metrics) are ignored with one warning', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const result = await velosIn(dir, home, [
      'start',
      'server.js',
      '--v8',
      '--event-loop-inspector',
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    expect(warningsOf(result)).toEqual([
      'PM2 options with no Velos equivalent, ignored: --v8, --event-loop-inspector',
    ]);
  });

  it.each([
    ['--attach', 'velos logs <name> -f'],
    ['--ext=js,json', '--ignore-watch'],
    ['--write', 'velos save'],
    ['--fresh', '--no-daemon'],
  ])('%s is refused in one line saying what to use instead', async (flag, instead) => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const result = await velosIn(dir, home, ['start', 'server.js', flag, '--dry-run']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(`unknown option ${flag.split('=')[0]} for velos start; PM2's`);
    expect(lines[0]).toContain(instead);
  });
});
