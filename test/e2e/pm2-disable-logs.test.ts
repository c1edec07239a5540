import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, errLog, outLog, velos, waitFor } from './helpers.js';
import { copyCorpus, specOf, velosIn } from './pm2-helpers.js';

afterEach(cleanupHomes);

/** The text of a file, '' when it is not there. */
function textOf(path: string): string {
  return existsSync(path) ? readFileSync(path, 'utf8') : '';
}

// PM2's `--disable-logs` (the flag of the `disable_logs` key Velos already takes in a process file)
describe('pm2 start --disable-logs', () => {
  it('writes the output nowhere, as disable_logs: true in a file, while velos logs still shows it', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const result = await velosIn(dir, home, ['start', 'server.js', '--name', 'quiet', '--disable-logs']);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const spec = await specOf(home, 'quiet');
    expect(spec).toMatchObject({ outFile: '/dev/null', errFile: '/dev/null' });
    // the daemon still keeps the lines it captured in memory
    await waitFor(
      async () => {
        const logs = await velos(['logs', 'quiet', '--lines', '20', '--raw'], { home });
        return logs.stdout.includes('{"pid"');
      },
      { message: "the app's first line in velos logs" },
    );
    expect(textOf(outLog(home, 'quiet'))).toBe('');
    expect(textOf(errLog(home, 'quiet'))).toBe('');
  });

  it('also sets aside -o, -e and -l given beside it, as disable_logs does', async () => {
    const home = createHome();
    const dir = join(copyCorpus(home), 'apps');
    const result = await velosIn(dir, home, [
      'start',
      'server.js',
      '--name',
      'quiet2',
      '-o',
      'out.log',
      '-l',
      'all.log',
      '--disable-logs',
      '--dry-run',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const [app] = JSON.parse(result.stdout) as Record<string, unknown>[];
    expect(app).toMatchObject({ outFile: '/dev/null', errFile: '/dev/null' });
    expect(app!.logFile ?? null).toBeNull();
  });
});
