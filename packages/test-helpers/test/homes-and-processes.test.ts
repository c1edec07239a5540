import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fixture,
  freePort,
  homePids,
  isAlive,
  makeTempHome,
  runVelos,
  type TempHome,
  VELOS_BIN,
  waitFor,
} from '../src/index.js';

const homes: TempHome[] = [];
afterEach(async () => {
  for (const home of homes.splice(0)) await home.cleanup();
});

describe('temporary homes', () => {
  it('are empty 0700 directories that cleanup removes', async () => {
    const home = makeTempHome();
    expect(statSync(home.path).mode & 0o777).toBe(0o700);
    await home.cleanup();
    expect(existsSync(home.path)).toBe(false);
  });

  it('cleanup kills, by PID, a process that left its parent but carries VELOS_HOME', async () => {
    const home = makeTempHome();
    homes.push(home);
    // detached and unreferenced: found only through its environment, as a setsid grandchild would be
    const child = spawn(process.execPath, [fixture('silent.js')], {
      cwd: '/',
      detached: true,
      stdio: 'ignore',
      env: { ...process.env, VELOS_HOME: home.path },
    });
    child.unref();
    await waitFor(() => homePids(home.path).includes(child.pid!), 'the child to show in /proc');
    await home.cleanup();
    await waitFor(() => !isAlive(child.pid), 'the child to be gone');
  });
});

describe('freePort', () => {
  it('gives a port that can be bound on 127.0.0.1', async () => {
    const port = await freePort();
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', resolve);
    });
    await new Promise((resolve) => server.close(resolve));
  });
});

describe('runVelos', () => {
  it('runs the built CLI and captures its exit code and output', async () => {
    const home = makeTempHome();
    homes.push(home);
    expect(existsSync(VELOS_BIN)).toBe(true);
    const result = await runVelos(['--version'], { home: home.path });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/\d+\.\d+\.\d+/);
  });
});
