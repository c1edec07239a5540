import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BIN, Scratch } from './startup-helpers.js';

const scratch = new Scratch();
const homes: string[] = [];
afterEach(() => scratch.cleanup(homes.splice(0)));

describe('velos start with a log file under /proc', () => {
  it.each(['/proc/foo/x.log', '/proc/self/fd/1'])(
    'fails fast naming %s, starting no daemon',
    async (path) => {
      const home = scratch.dir('velos-home-');
      homes.push(home);
      const config = join(scratch.dir(), 'velos.toml');
      writeFileSync(
        config,
        `[[apps]]\nname = "a"\nscript = "node -e 'setInterval(() => {}, 1000)'"\nout_file = "${path}"\n`,
      );
      // Scratch.run kills the CLI after 30 s: a hang fails here with a null or non-1 code
      const run = await scratch.run(BIN, ['start', config], { VELOS_HOME: home });
      expect(run.code, run.stderr).toBe(1);
      expect(run.stderr).toMatch(/^velos: a: log file .* is under \/proc/);
      expect(run.stderr).toContain(path);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(existsSync(join(home, 'velos.pid'))).toBe(false);
    },
  );
});
