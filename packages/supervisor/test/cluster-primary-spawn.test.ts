import { spawn } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, linkSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { TEST_BUNDLE_DIR } from './bundle-dir.js';
import { appSpec, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('a cluster primary that cannot be spawned (issue #19 item 10)', () => {
  it('ends the process errored (spawn-error) with the reason in its err log, not starting forever', async () => {
    const home = harness.home();
    // A daemon run by a node binary that is then removed (as an upgrade would) cannot spawn the primary.
    const node = join(home, 'node');
    try {
      linkSync(process.execPath, node);
    } catch {
      copyFileSync(process.execPath, node);
    }
    const out = openSync(join(home, 'daemon.out'), 'a');
    // Stopped by pid at teardown: the harness reads velos.pid of every home it made.
    spawn(node, [join(TEST_BUNDLE_DIR, 'daemon.mjs'), home], { stdio: ['ignore', out, out], detached: true });
    closeSync(out);
    const client = await harness.waitForDaemon(home);
    rmSync(node);

    const spec = appSpec(home, {
      name: 'web',
      script: 'cluster-server.js',
      execMode: 'cluster',
      instances: 2,
    });
    await client.call('start', { apps: [spec] });
    const rows = await waitFor(
      async () => {
        const { processes } = await client.call<{ processes: ProcessInfo[] }>('list');
        return processes.every((p) => p.status === 'errored') ? processes : null;
      },
      { what: 'both instances errored', timeoutMs: 5000 },
    );
    expect(rows.map((p) => [p.status, p.lastExitReason, p.pid])).toEqual([
      ['errored', 'spawn-error', null],
      ['errored', 'spawn-error', null],
    ]);
    const errLog = join(home, 'logs', 'web-err.log');
    const note = await waitFor(
      () => existsSync(errLog) && readFileSync(errLog, 'utf8').match(/.*cluster primary.*/)?.[0],
      { what: 'the reason in the err log' },
    );
    expect(note).toContain(`velos: cannot start the cluster primary (${node}): not found (ENOENT)`);
  });
});
