import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupHomes, createHome, FIXTURES, velos, velosOk } from './helpers.js';

afterEach(cleanupHomes);

describe('a start whose working directory does not exist', () => {
  it('is refused with one line and starts none of the apps of the file', async () => {
    const home = createHome();
    const dir = join(home, 'conf');
    mkdirSync(dir);
    const file = join(dir, 'apps.toml');
    writeFileSync(
      file,
      `[[apps]]
name = "fine"
script = "${join(FIXTURES, 'silent.js')}"

[[apps]]
name = "lost"
script = "${join(FIXTURES, 'silent.js')}"
cwd = "no-such-dir"
`,
    );
    const run = await velos(['start', file], { home });
    expect(run.code).toBe(1);
    expect((await velosOk(['list', '--json'], { home })).stdout.trim()).toBe('[]');
    expect(run.stderr.trim()).toBe(
      `velos: lost: cwd: the working directory ${join(dir, 'no-such-dir')} does not exist`,
    );
  });
});
