import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
});
