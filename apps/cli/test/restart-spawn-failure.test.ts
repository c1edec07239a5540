import { isVelosError, type ProcessInfo } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { runProcessAction } from '../src/commands/process-action.js';
import { runReload } from '../src/commands/reload.js';
import type { CommandContext } from '../src/context.js';
import { processInfo } from './sample-processes.js';

/**
 * A daemon whose app `gone` lost its script: restarting or reloading it leaves it errored with reason
 * spawn-error and the daemon's note in its err log, as the real daemon answers (the command succeeds).
 */
function context() {
  const rows: ProcessInfo[] = [
    processInfo({ id: 0, name: 'api' }),
    processInfo({ id: 1, name: 'gone' }),
    // an app of two whose instance 2 failed to spawn earlier
    processInfo({ id: 2, name: 'pair', pid: null, status: 'errored', lastExitReason: 'spawn-error' }),
    processInfo({ id: 3, name: 'pair', instance: 1 }),
  ];
  const act = async (target: string | string[]) => {
    const targets = [target].flat();
    const hit = rows.filter((p) => targets.includes(p.name) || targets.includes(String(p.id)));
    for (const p of hit) {
      if (p.name === 'gone')
        Object.assign(p, { pid: null, status: 'errored', lastExitReason: 'spawn-error' });
    }
    return hit;
  };
  const client = {
    list: async () => rows.map((p) => ({ ...p })),
    restart: act,
    reload: act,
    logs: async () => [{ line: 'velos: cannot start /srv/gone.js: not found (ENOENT)' }],
  };
  const printed: unknown[] = [];
  const ctx = {
    home: '/nonexistent',
    mode: 'json',
    isTTY: false,
    print: () => {},
    printJson: (value: unknown) => printed.push(value),
    client: async () => client,
    dispose: async () => {},
  } as unknown as CommandContext;
  return { ctx, printed };
}

async function failureOf(run: Promise<void>): Promise<string> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  return isVelosError(error) ? `${error.code}: ${error.message}` : String(error);
}

describe('restart and reload of an app that cannot be spawned', () => {
  it('restart: the list is printed, then the app and the daemon reason are the error (exit 1)', async () => {
    const { ctx, printed } = context();
    expect(await failureOf(runProcessAction(ctx, 'restart', ['api', 'gone']))).toBe(
      'SPAWN_FAILED: gone: cannot start /srv/gone.js: not found (ENOENT)',
    );
    expect(printed).toHaveLength(1);
    // an app that restarts fine is no error, nor an instance the restart left alone
    expect(await failureOf(runProcessAction(context().ctx, 'restart', ['api']))).toBe('null');
    expect(await failureOf(runProcessAction(context().ctx, 'restart', ['3']))).toBe('null');
  });

  it('reload: the same', async () => {
    const { ctx, printed } = context();
    expect(await failureOf(runReload(ctx, ['gone']))).toBe(
      'SPAWN_FAILED: gone: cannot start /srv/gone.js: not found (ENOENT)',
    );
    expect(printed).toHaveLength(1);
  });
});
