import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findHomeProcesses } from '../src/orphans/orphan-scan.js';
import { readProcStat } from '../src/proc-scan.js';
import { createSupervisor } from '../src/supervisor.js';
import { appSpec, FIXTURES, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('orphan bookkeeping (SUP-13)', () => {
  it('gives a child private FIFOs, a run entry and VELOS_HOME, and forgets the run when it ends', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    const [info] = await supervisor.start([
      appSpec(home, { name: 'env', script: 'echo-env.js', env: { SHOW_ENV: 'VELOS_HOME' } }),
    ]);
    const pid = info!.pid!;
    const run = join(home, 'run');
    expect(statSync(run).mode & 0o777).toBe(0o700);
    for (const which of ['out', 'err']) {
      const fifo = statSync(join(run, `0-${which}.fifo`));
      expect(fifo.isFIFO()).toBe(true);
      expect(fifo.mode & 0o777).toBe(0o600);
    }
    // The child writes into a FIFO, not into a pipe of the daemon's.
    expect(readFileSync(`/proc/${pid}/fdinfo/1`, 'utf8')).toMatch(/flags:\s+\d*2\n/);
    const entryPath = join(run, '0.json');
    const entry = await waitFor(() => existsSync(entryPath) && JSON.parse(readFileSync(entryPath, 'utf8')), {
      what: 'the run entry',
    });
    expect(entry).toMatchObject({ id: 0, name: 'env', pid, spawnedBy: process.pid });
    expect(entry.startTicks).toBe(readProcStat(pid)!.startTicks);
    const text = await waitFor(
      async () => (await supervisor.logs({ target: 'env', lines: 10 })).map((l) => l.line).join('\n'),
      { what: 'echo-env output through the FIFO' },
    );
    expect(text).toContain(`"VELOS_HOME":"${home}"`);
    expect(findHomeProcesses(home)).toEqual([{ pid, id: 0, rawId: '0' }]);

    await supervisor.stop('env');
    await waitFor(() => !existsSync(entryPath), { what: 'the run entry to go' });
    await supervisor.delete('env');
    expect(existsSync(join(run, '0-out.fifo'))).toBe(false);
  });

  it('captures every line of a fast child through its FIFO, exactly once', async () => {
    const home = harness.home();
    const supervisor = harness.track(createSupervisor({ home }));
    await supervisor.start([
      appSpec(home, {
        name: 'chatty',
        script: join(FIXTURES, 'chatty.js'),
        env: { COUNT: '20000', RATE: '0' },
        autorestart: false,
      }),
    ]);
    await waitFor(async () => (await supervisor.list())[0]?.status === 'stopped', { what: 'chatty to exit' });
    const lines = await waitFor(
      () => {
        const text = readFileSync(join(home, 'logs', 'chatty-out.log'), 'utf8').split('\n');
        return text.length === 20001 ? text : undefined;
      },
      { what: 'all 20000 lines' },
    );
    expect(lines[19999]).toBe('line 20000');
    expect((await supervisor.describe('chatty'))[0]!.logLines.out).toBe(20000);
  });
});
