import { type ChildProcess, execFileSync } from 'node:child_process';
import { closeSync, constants, existsSync, openSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PingResult, ProcessInfo } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { isPidAlive } from '../src/proc-scan.js';
import { appSpec, FIXTURES, Harness, waitFor } from './helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

const THROW_ON_SIGNAL = fileURLToPath(new URL('./fixtures/throw-on-signal.mjs', import.meta.url));

function exitOf(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  if (child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve({ code: child.exitCode, signal: child.signalCode });
  }
  return new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
}

/** A saved state of stopped apps (nothing to spawn), as `state.json` holds it. */
function savedState(names: string[]): string {
  const apps = names.map((name, i) => ({
    spec: { name, script: 'silent.js', cwd: FIXTURES },
    ids: [i],
    running: false,
  }));
  return JSON.stringify({ version: 1, savedAt: 1, nextId: names.length, apps });
}

/**
 * Makes `state.json` a FIFO, so that the daemon's restore blocks on reading it until the test
 * writes the state: a restore that takes as long as the test wants.
 */
function makeStateFifo(home: string): void {
  execFileSync('mkfifo', ['-m', '600', join(home, 'state.json')]);
}

/** Waits until the daemon reads the FIFO `state.json` (its restore is under way); returns the write end. */
function waitRestoreStarted(home: string): Promise<number> {
  const path = join(home, 'state.json');
  // opening the write end without blocking succeeds only once a reader has the FIFO open
  return waitFor(() => openSync(path, constants.O_WRONLY | constants.O_NONBLOCK), {
    what: 'the daemon to start reading state.json',
  });
}

/** Writes the saved state into the FIFO and closes it: the restore goes on. */
function finishRestore(writeEnd: number, content: string): void {
  try {
    writeSync(writeEnd, content);
  } finally {
    closeSync(writeEnd);
  }
}

describe('the daemon listens before it restores', () => {
  it('answers ping at once (restoring: true) and holds other commands until the restore is done', async () => {
    const home = harness.home();
    makeStateFifo(home);
    harness.spawnDaemon(home);
    const client = await harness.waitForDaemon(home, { isRestoreAwaited: false });
    const writeEnd = await waitRestoreStarted(home);
    const ping = await client.call<PingResult>('ping');
    expect(ping.restoring).toBe(true);
    const listId = client.send('list');
    // answered after the list request was read: the list is held, not answered with an empty table
    expect((await client.call<PingResult>('ping')).restoring).toBe(true);
    expect(client.messages.some((m) => m.id === listId)).toBe(false);
    finishRestore(writeEnd, savedState(['a', 'b']));
    const list = await client.next((m) => m.id === listId);
    expect(list.status).toBe('ok');
    expect((list.payload as { processes: ProcessInfo[] }).processes.map((p) => p.name)).toEqual(['a', 'b']);
    expect((await client.call<PingResult>('ping')).restoring).toBeUndefined();
  });

  it('SIGTERM during the restore waits for it and saves the whole table, never a partial one', async () => {
    const home = harness.home();
    makeStateFifo(home);
    const child = harness.spawnDaemon(home);
    const writeEnd = await waitRestoreStarted(home);
    child.kill('SIGTERM');
    await waitFor(() => readFileSync(join(home, 'daemon.log'), 'utf8').includes('shutting down (SIGTERM)'), {
      what: 'the daemon to take the SIGTERM',
    });
    finishRestore(writeEnd, savedState(['a', 'b']));
    expect(await exitOf(child)).toEqual({ code: 0, signal: null });
    const saved = JSON.parse(readFileSync(join(home, 'state.json'), 'utf8')) as {
      apps: { spec: { name: string } }[];
    };
    expect(saved.apps.map((app) => app.spec.name)).toEqual(['a', 'b']);
  });
});

describe('an uncaught exception', () => {
  it('is written to daemon.log and ends the daemon; its apps keep running for the next daemon', async () => {
    const home = harness.home();
    const child = harness.spawnDaemon(home, { nodeFlags: [`--import=${THROW_ON_SIGNAL}`] });
    const client = await harness.waitForDaemon(home);
    const { processes } = await client.call<{ processes: ProcessInfo[] }>('start', {
      apps: [appSpec(home, { name: 'keeps' })],
    });
    child.kill('SIGUSR2');
    expect(await exitOf(child)).toEqual({ code: 70, signal: null });
    const log = readFileSync(join(home, 'daemon.log'), 'utf8');
    expect(log).toMatch(/fatal: uncaught exception: Error: planted uncaught exception\n\s+at /);
    expect(log).toContain('fatal: the daemon exits (code 70)');
    expect(isPidAlive(processes[0]!.pid!)).toBe(true);
    expect(existsSync(join(home, 'velos.sock'))).toBe(false);
    expect(existsSync(join(home, 'velos.pid'))).toBe(false);
  });
});
