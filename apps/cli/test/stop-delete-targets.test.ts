import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DeleteResult, ErrorCodes, isVelosError, type ProcessInfo, VelosError } from '@velos/core';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runProcessAction } from '../src/commands/process-action.js';
import type { CommandContext } from '../src/context.js';
import { processInfo } from './sample-processes.js';

/**
 * A daemon of db (0), api (1, depends on db) and web (2, depends on api) that records each stop and
 * delete request; `forgotten` is what a delete of `all` or `ghost` dropped (a saved app never restored).
 */
function context(rows: ProcessInfo[] = stack(), forgotten: DeleteResult['forgotten'] = []) {
  const requests: { action: string; target: string | string[] }[] = [];
  const select = (target: string | string[]) => {
    const targets = typeof target === 'string' ? [target] : target;
    return targets.flatMap((one) => {
      const hit = rows.filter((p) => one === 'all' || p.name === one || String(p.id) === one);
      if (hit.length === 0 && !(one === 'all' || (one === 'ghost' && forgotten.length > 0)))
        throw new VelosError(ErrorCodes.TARGET_NOT_FOUND, `no process matches '${one}'`, {
          data: { target: one },
        });
      return hit;
    });
  };
  const client = {
    list: async () => rows.map((p) => ({ ...p })),
    stop: async (target: string | string[]) => {
      requests.push({ action: 'stop', target });
      return select(target);
    },
    restart: async (target: string | string[]) => {
      requests.push({ action: 'restart', target });
      return select(target);
    },
    deleteResult: async (target: string | string[]): Promise<DeleteResult> => {
      requests.push({ action: 'delete', target });
      const processes = select(target);
      const dropped = target === 'all' || target === 'ghost' ? forgotten : [];
      return dropped.length > 0 ? { processes, forgotten: dropped } : { processes };
    },
  };
  const printed: string[] = [];
  const ctx = {
    home: '/nonexistent',
    mode: 'text',
    isTTY: false,
    colors: { enabled: false },
    print: (text: string) => printed.push(text),
    printJson: () => {},
    client: async () => client,
    dispose: async () => {},
  } as unknown as CommandContext;
  return { ctx, requests, printed };
}

function stack(): ProcessInfo[] {
  return [
    processInfo({ id: 0, name: 'db' }),
    processInfo({ id: 1, name: 'api' }),
    processInfo({ id: 2, name: 'web' }),
  ];
}

async function failureOf(run: Promise<void>): Promise<string | null> {
  const error = await run.then(
    () => null,
    (e: unknown) => e,
  );
  return isVelosError(error) ? `${error.code}: ${error.message}` : error === null ? null : String(error);
}

afterEach(() => vi.restoreAllMocks());

describe('velos stop, restart and delete of several targets (SUP-12)', () => {
  it('sends them as one selection, which the daemon stops in depends_on waves', async () => {
    const { ctx, requests } = context();
    expect(await failureOf(runProcessAction(ctx, 'stop', ['db', 'api', 'web']))).toBeNull();
    expect(requests).toEqual([{ action: 'stop', target: ['db', 'api', 'web'] }]);

    const regex = context();
    expect(await failureOf(runProcessAction(regex.ctx, 'delete', ['/^(db|api)$/', 'web']))).toBeNull();
    expect(regex.requests).toEqual([{ action: 'delete', target: ['db', 'api', 'web'] }]);
  });

  it('restarts them as one selection, whose stopped apps the daemon starts dependencies first', async () => {
    const { ctx, requests } = context();
    expect(await failureOf(runProcessAction(ctx, 'restart', ['web', 'api', 'db']))).toBeNull();
    expect(requests).toEqual([{ action: 'restart', target: ['web', 'api', 'db'] }]);
  });

  it('acts on the others when a target matches nothing, which is then the error (exit 1)', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const { ctx, requests } = context();
    expect(await failureOf(runProcessAction(ctx, 'stop', ['nope', 'db', 'web', '/^zz/']))).toBe(
      "TARGET_NOT_FOUND: no process matches 'nope'",
    );
    expect(requests).toEqual([
      { action: 'stop', target: ['db', 'web'] },
      { action: 'stop', target: 'nope' },
    ]);
    expect(stderr).toHaveBeenCalledWith('velos: no process name matches /^zz/\n');
  });

  it('goes without a target deleted by another request since the list was read', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const rows = stack();
    const { ctx, requests } = context(rows);
    const list = (await ctx.client()).list;
    Object.assign(await ctx.client(), {
      list: async () => {
        const before = await list();
        rows.splice(1, 1);
        return before;
      },
    });
    expect(await failureOf(runProcessAction(ctx, 'stop', ['db', 'api']))).toBe(
      "TARGET_NOT_FOUND: no process matches 'api'",
    );
    expect(requests.map((request) => request.target)).toEqual([['db', 'api'], ['db']]);
  });
});

describe('a daemon from before lists of targets (until velos update)', () => {
  it('gets them one by one', async () => {
    const { ctx, requests } = context();
    const client = await ctx.client();
    const stop = client.stop;
    Object.assign(client, {
      stop: async (target: string | string[]) => {
        if (Array.isArray(target)) {
          requests.push({ action: 'refused', target });
          throw new VelosError(ErrorCodes.INVALID_ARGUMENT, 'stop: target: expected a string, got [...]', {
            data: { field: 'target', detail: 'expected a string' },
          });
        }
        return stop(target);
      },
    });
    expect(await failureOf(runProcessAction(ctx, 'stop', ['web', 'db']))).toBeNull();
    expect(requests.map((request) => request.target)).toEqual([['web', 'db'], 'web', 'db']);
  });
});

describe('velos delete of saved apps that were never restored', () => {
  it('delete all that drops only them succeeds and names each', async () => {
    const { ctx, printed } = context([], [{ name: 'ghost', ids: [3, 4] }]);
    expect(await failureOf(runProcessAction(ctx, 'delete', ['all']))).toBeNull();
    expect(printed[0]).toBe('dropped ghost (id 3, 4) from the saved state: it was never restored');
    const byName = context(stack(), [{ name: 'ghost', ids: [3] }]);
    expect(await failureOf(runProcessAction(byName.ctx, 'delete', ['ghost', 'db']))).toBeNull();
    expect(byName.printed[0]).toBe('dropped ghost (id 3) from the saved state: it was never restored');
  });

  it('delete all with nothing at all is still no process found (exit 1), as in PM2', async () => {
    const { ctx } = context([]);
    expect(await failureOf(runProcessAction(ctx, 'delete', ['all']))).toBe(
      "TARGET_NOT_FOUND: no process matches 'all': there are none",
    );
  });
});

describe('velos stop and delete of a process file', () => {
  it("act on its apps without the file's warnings, which are about starting them", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-stop-file-'));
    try {
      writeFileSync(join(dir, 'app.js'), '');
      const file = join(dir, 'ecosystem.config.js');
      writeFileSync(
        file,
        `module.exports = { apps: [
  { name: 'db', script: 'app.js', frob: 1, time: true, log_date_format: 'HH:mm', env_production: {} },
  { name: 'api', script: 'app.js', vizion: false },
] };\n`,
      );
      const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      for (const action of ['stop', 'delete'] as const) {
        const { ctx, requests } = context();
        const input = { options: { env: 'staging' }, args: [file], rest: [] };
        expect(await failureOf(runProcessAction(ctx, action, [file], { input }))).toBeNull();
        expect(requests).toEqual([{ action, target: ['db', 'api'] }]);
      }
      expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([]);
      // a name --only gives that the file lacks is about this command: still told
      const { ctx, requests } = context();
      const input = { options: { only: 'api,nope' }, args: [file], rest: [] };
      expect(await failureOf(runProcessAction(ctx, 'stop', [file], { input }))).toBeNull();
      expect(requests).toEqual([{ action: 'stop', target: 'api' }]);
      expect(stderr.mock.calls.map(([text]) => String(text))).toEqual([
        `velos: warning: --only: ecosystem.config.js has no app named nope (it has db, api); the others go on\n`,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
