import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, readLines, rowsNamed, velosOk, waitFor } from './helpers.js';

afterEach(cleanupHomes);

interface WatchRow {
  restarts: number;
  status: string;
  watching?: boolean;
}

async function row(home: string, name: string): Promise<WatchRow> {
  const [found] = (await rowsNamed(home, name)) as WatchRow[];
  if (!found) throw new Error(`no process ${name}`);
  return found;
}

describe('watch mode as PM2 users write it', () => {
  it('watches the globs of a PM2 file (watch: ["src/**/*.js", "*.json"]) in their base directories', async () => {
    const home = createHome();
    const dir = join(home, 'project');
    mkdirSync(join(dir, 'src', 'deep'), { recursive: true });
    writeFileSync(join(dir, 'src', 'deep', 'a.js'), '// v1\n');
    const file = join(dir, 'ecosystem.json');
    writeFileSync(
      file,
      JSON.stringify({
        apps: [
          {
            name: 'globs',
            script: join(FIXTURES, 'silent.js'),
            cwd: dir,
            watch: ['src/**/*.js', '*.json'],
            watch_delay: 200,
          },
        ],
      }),
    );
    const started = await velosOk(['start', file], { home });
    // the globs were taken for missing paths: a warning each, and nothing was watched
    expect(started.stderr).not.toContain('does not exist');
    await waitFor(async () => (await row(home, 'globs')).watching, { message: 'globs to be watching' });
    const watchLines = () =>
      readLines(join(home, 'daemon.log')).filter((line) => line.includes('globs: watch: '));
    // a file no glob matches, then one that matches, until the restart it makes is seen
    await waitFor(
      async () => {
        writeFileSync(join(dir, 'src', 'notes.md'), `${Date.now()}\n`);
        writeFileSync(join(dir, 'src', 'deep', 'a.js'), `// ${Date.now()}\n`);
        return (await row(home, 'globs')).restarts >= 1;
      },
      { message: 'a restart for src/deep/a.js' },
    );
    expect(watchLines().join('\n')).not.toContain('notes.md');
    expect(watchLines()[0]).toContain(join(dir, 'src', 'deep', 'a.js'));
    await waitFor(
      () => {
        writeFileSync(join(dir, 'package.json'), `{"v": ${Date.now()}}\n`);
        return watchLines().some((line) => line.includes(`${join(dir, 'package.json')} changed`));
      },
      { message: 'a restart for package.json' },
    );
  });
});
