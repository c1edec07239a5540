import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '@velos/test-helpers';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { type ConfigWatches, createConfigWatches } from '../../src/config/config-watch.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-config-watch-'));
let watches: ConfigWatches | null = null;
afterEach(() => watches?.close());
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function watching(file: string): string[] {
  const changed: string[] = [];
  watches = createConfigWatches({ onChange: (f) => changed.push(f), log: () => {}, debounceMs: 20 });
  watches.sync(new Set([file]));
  return changed;
}

describe('config file watches (--watch-config, CFG-2)', () => {
  it('reloads a file saved in place, once per change of its content', async () => {
    const file = join(dir, 'app.toml');
    writeFileSync(file, 'a = 1\n');
    const changed = watching(file);
    writeFileSync(file, 'a = 2\n');
    await waitFor(() => changed.length === 1, { message: 'the save to be seen' });
    expect(changed).toEqual([file]);
  });

  // velos.toml -> /etc/velos/prod.toml: an edit of the target changes no entry of the link's directory
  it('sees an edit of the file a symlink points to, in another directory', async () => {
    mkdirSync(join(dir, 'real'));
    mkdirSync(join(dir, 'link'));
    const target = join(dir, 'real', 'prod.toml');
    const link = join(dir, 'link', 'velos.toml');
    writeFileSync(target, 'a = 1\n');
    symlinkSync(target, link);
    const changed = watching(link);
    writeFileSync(target, 'a = 2\n');
    await waitFor(() => changed.length === 1, { message: "the target's edit to be seen", timeoutMs: 3000 });
    expect(changed).toEqual([link]);
    // the link pointed at another file: that change is one reload, and that file's edits are seen next
    const other = join(dir, 'real', 'staging.toml');
    writeFileSync(other, 'a = 3\n');
    rmSync(link);
    symlinkSync(other, link);
    await waitFor(() => changed.length === 2, { message: 'the new target to be seen', timeoutMs: 3000 });
    writeFileSync(other, 'a = 4\n');
    await waitFor(() => changed.length === 3, { message: "the new target's edit", timeoutMs: 3000 });
  });

  it('sees the file again after its directory is removed and made again (rm -rf conf, a checkout)', async () => {
    const conf = join(dir, 'conf');
    const file = join(conf, 'app.toml');
    mkdirSync(conf);
    writeFileSync(file, 'a = 1\n');
    const changed = watching(file);
    // made again at once, then after a while without it: both left the file unwatched for good
    for (const missingMs of [0, 150]) {
      const seen = changed.length;
      rmSync(conf, { recursive: true });
      if (missingMs > 0) await sleep(missingMs);
      mkdirSync(conf);
      writeFileSync(file, `a = "${missingMs}"\n`);
      await waitFor(() => changed.length === seen + 1, {
        message: 'the new file to be seen',
        timeoutMs: 3000,
      });
      writeFileSync(file, `a = "${missingMs} edited"\n`);
      await waitFor(() => changed.length === seen + 2, { message: 'its edit to be seen', timeoutMs: 3000 });
    }
    expect(new Set(changed)).toEqual(new Set([file]));
  });

  it('sees a deploy that points a linked directory at another release (current -> releases/2)', async () => {
    const app = join(dir, 'deploy');
    for (const release of ['1', '2']) {
      mkdirSync(join(app, 'releases', release), { recursive: true });
      writeFileSync(join(app, 'releases', release, 'app.toml'), `release = ${release}\n`);
    }
    const current = join(app, 'current');
    symlinkSync(join(app, 'releases', '1'), current);
    const changed = watching(join(current, 'app.toml'));
    // as `ln -sfn releases/2 current` does it: a new link renamed over the old one
    symlinkSync(join(app, 'releases', '2'), join(app, 'current.new'));
    renameSync(join(app, 'current.new'), current);
    await waitFor(() => changed.length === 1, { message: 'the new release to be seen', timeoutMs: 3000 });
    writeFileSync(join(app, 'releases', '2', 'app.toml'), 'release = 22\n');
    await waitFor(() => changed.length === 2, { message: "the new release's edit", timeoutMs: 3000 });
  });
});
