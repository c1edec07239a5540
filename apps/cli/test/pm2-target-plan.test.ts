import { isVelosError, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { isNotRunning } from '../src/commands/signal.js';
import { forEachTarget } from '../src/pm2/each-target.js';
import { matchProcesses, wordsToAct } from '../src/pm2/target-plan.js';
import { processInfo } from './sample-processes.js';

const processes = [
  processInfo({ id: 0, name: 'p5' }),
  processInfo({ id: 1, name: 'api', namespace: 'web' }),
  processInfo({ id: 2, name: 'api', namespace: 'web' }),
  processInfo({ id: 3, name: 'caf\u00e9', namespace: 'web' }),
];

/** A daemon of `processes` for `forEachTarget`: `delete` removes what a target matches, as the daemon does. */
function daemon() {
  let left = [...processes];
  const deleted: string[] = [];
  return {
    deleted,
    list: async () => [...left],
    delete: async (target: string) => {
      const hit = matchProcesses(left, target);
      if (hit.length === 0 && target !== 'all')
        throw new VelosError('TARGET_NOT_FOUND', `no process matches '${target}'`);
      left = left.filter((p) => !hit.includes(p));
      deleted.push(target);
      return hit;
    },
  };
}

describe('matchProcesses', () => {
  it('matches as the daemon does: all, an id, an app, a namespace, in that order; names in NFC', () => {
    const ids = (target: string) => matchProcesses(processes, target).map((p) => p.id);
    expect(ids('all')).toEqual([0, 1, 2, 3]);
    expect(ids('2')).toEqual([2]);
    expect(ids('api')).toEqual([1, 2]);
    expect(ids('web')).toEqual([1, 2, 3]);
    expect(ids('cafe\u0301')).toEqual([3]);
    expect(ids('9')).toEqual([]);
    expect(ids('nope')).toEqual([]);
  });
});

describe('wordsToAct', () => {
  it('acts on each process once: a target already covered is left out, one partly covered gives its other ids', () => {
    const acted = new Set<number>();
    const plan = ['0', '0', 'p5', 'api', '2', 'web', 'nope'].map((t) => wordsToAct(processes, t, acted));
    expect(plan).toEqual([['0'], [], [], ['api'], [], ['3'], ['nope']]);
  });
});

describe('forEachTarget with several targets', () => {
  it('matches them all first, then acts once: velos delete 0 0 p5 deletes p5 and finds every target', async () => {
    const d = daemon();
    const result = await forEachTarget(['0', '0', 'p5'], d.list, 'delete', d.delete, { allNeedsOne: true });
    expect(d.deleted).toEqual(['0']);
    expect(result).toEqual({ done: 3, notFound: [] });
  });

  it('takes an instance after its app (delete api 2), a namespace after one of its apps, and regexes', async () => {
    const d = daemon();
    const result = await forEachTarget(['api', '2', 'web', '/^p/'], d.list, 'delete', d.delete);
    expect(d.deleted).toEqual(['api', '3', 'p5']);
    expect(result).toEqual({ done: 4, notFound: [] });
  });

  it('still reports a target that matches nothing, and acts on the others', async () => {
    const d = daemon();
    const result = await forEachTarget(['nope', '1', 'api'], d.list, 'delete', d.delete);
    expect(d.deleted).toEqual(['1', '2']);
    expect(result.done).toBe(2);
    expect(result.notFound.map((error) => isVelosError(error) && error.message)).toEqual([
      "no process matches 'nope'",
    ]);
  });

  it('reads no list for one target: the daemon matches it', async () => {
    const d = daemon();
    let lists = 0;
    const list = async () => {
      lists += 1;
      return d.list();
    };
    await forEachTarget(['api'], list, 'delete', d.delete);
    expect(lists).toBe(0);
    expect(d.deleted).toEqual(['api']);
  });

  it('signal: a target with no running process fails alone; the others still get the signal', async () => {
    const reached: string[] = [];
    // the daemon's answers: p5 is stopped, 1 and 2 (api) run
    const signal = async (target: string) => {
      if (target === 'p5')
        throw new VelosError('INVALID_ARGUMENT', "signal: no running process of 'p5' to send SIGHUP to", {
          data: { target, signal: 'SIGHUP' },
        });
      reached.push(target);
    };
    const list = async () => processes;
    const result = await forEachTarget(['p5', 'api'], list, 'signal', signal, { isMiss: isNotRunning });
    expect(reached).toEqual(['api']);
    expect(result.done).toBe(1);
    expect(result.notFound.map((error) => isVelosError(error) && error.message)).toEqual([
      "signal: no running process of 'p5' to send SIGHUP to",
    ]);
    // a signal the daemon's platform does not know is no target's fault: it stops the command
    const unknown = new VelosError('INVALID_ARGUMENT', 'signal: unknown signal SIGPWR on this platform', {
      data: { signal: 'SIGPWR', field: 'signal' },
    });
    const failing = async () => {
      throw unknown;
    };
    await expect(forEachTarget(['api'], list, 'signal', failing, { isMiss: isNotRunning })).rejects.toBe(
      unknown,
    );
  });

  it('signal: a target acted on in parts (a regex, a namespace after one of its processes) misses only when all do', async () => {
    const reached: string[] = [];
    // p5 (id 0) and api's id 1 are stopped; api's id 2 and café (id 3) run
    const running = new Set(['2', '3', 'caf\u00e9']);
    const signal = async (target: string) => {
      if (!running.has(target))
        throw new VelosError(
          'INVALID_ARGUMENT',
          `signal: no running process of '${target}' to send SIGHUP to`,
          {
            data: { target, signal: 'SIGHUP' },
          },
        );
      reached.push(target);
    };
    const list = async () => processes;
    const run = (targets: string[]) =>
      forEachTarget(targets, list, 'signal', signal, { isMiss: isNotRunning });
    // the regex stands for p5 then café: p5 stopped does not keep café from its signal
    expect(await run(['/^(p|c)/'])).toEqual({ done: 1, notFound: [] });
    expect(reached).toEqual(['caf\u00e9']);
    // web after 1 is its ids 2 and 3; 1 stopped is the first target's own miss
    reached.length = 0;
    const split = await run(['1', 'web']);
    expect(reached).toEqual(['2', '3']);
    expect(split.done).toBe(1);
    expect(split.notFound.map((error) => isVelosError(error) && error.message)).toEqual([
      "signal: no running process of '1' to send SIGHUP to",
    ]);
    // every part stopped: the target misses
    expect((await run(['/^p/', '3'])).notFound).toHaveLength(1);
  });
});
