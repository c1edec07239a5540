import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  fixture,
  HARNESS_ERROR_CODES,
  homePids,
  isAlive,
  isHomeClosed,
  makeTempHome,
  readPidFile,
  runNode,
  runVelos,
  runVelosOk,
  spawnDaemon,
  spawnNode,
  spawnVelos,
  stopHome,
  waitFor,
} from '../src/index.js';

// A start that the guard failed to refuse leaves a daemon in a home no teardown owns any more: stop it
// by PID (stopHome only kills, it never starts anything) and remove what it recreated.
const removed: string[] = [];
afterEach(async () => {
  for (const home of removed.splice(0)) {
    await stopHome(home);
    rmSync(home, { recursive: true, force: true });
  }
});

const closedError = { code: HARNESS_ERROR_CODES.HOME_CLOSED };

describe('a home after its teardown', () => {
  it('refuses every CLI and daemon start on it or inside it, and starts nothing', async () => {
    const home = makeTempHome();
    removed.push(home.path);
    await runVelosOk(['start', fixture('silent.js'), '--name', 'before'], { home: home.path });
    const daemon = readPidFile(home.path);
    expect(isAlive(daemon)).toBe(true);
    await home.cleanup();
    expect(isAlive(daemon)).toBe(false);
    expect(isHomeClosed(home.path)).toBe(true);

    const start = ['start', fixture('silent.js'), '--name', 'after'];
    await expect(runVelos(start, { home: home.path })).rejects.toMatchObject(closedError);
    await expect(runVelosOk(start, { home: join(home.path, 'sub') })).rejects.toMatchObject(closedError);
    expect(() => spawnVelos(['logs', '--follow'], { home: home.path })).toThrow(/teardown has begun/);
    const env = { ...process.env, VELOS_HOME: home.path };
    await expect(runNode(fixture('silent.js'), [], { env })).rejects.toMatchObject(closedError);
    expect(() => spawnNode(fixture('silent.js'), [], { env })).toThrow(/teardown has begun/);
    expect(() => spawnDaemon({ home: home.path, entry: fixture('silent.js'), logFile: '/dev/null' })).toThrow(
      /teardown has begun/,
    );
    expect(existsSync(home.path)).toBe(false);
    expect(homePids(home.path)).toEqual([]);
  });

  it('leaves other homes, and a home whose name only starts like it, open', async () => {
    const home = makeTempHome();
    const sibling = `${home.path}-other`;
    mkdirSync(sibling, { mode: 0o700 });
    removed.push(sibling);
    await home.cleanup();
    expect(isHomeClosed(sibling)).toBe(false);
    expect((await runVelosOk(['--version'], { home: sibling })).stdout).toMatch(/\d+\.\d+\.\d+/);
  });

  it('stops by PID the daemon and the CLI start in flight when the teardown begins', async () => {
    const home = makeTempHome();
    removed.push(home.path);
    // CLI starts one after another, as a test body outliving its timeout makes them, one in flight when
    // the teardown begins: the loop ends at the first start the guard refuses (or, without the guard,
    // after the first start that began once the teardown was over).
    let starts = 0;
    let isTornDown = false;
    const body = (async () => {
      for (;;) {
        const wasTornDown = isTornDown;
        starts += 1;
        await runVelos(['start', fixture('silent.js'), '--name', `app${starts}`], { home: home.path });
        if (wasTornDown) return `start ${starts} ran after the teardown`;
      }
    })().catch((error: unknown) => error);
    await waitFor(() => starts >= 2 && isAlive(readPidFile(home.path)), 'a daemon and a second CLI start');
    await home.cleanup();
    isTornDown = true;
    expect(await body).toMatchObject(closedError);
    expect(existsSync(home.path)).toBe(false);
    expect(homePids(home.path)).toEqual([]);
  });
});
