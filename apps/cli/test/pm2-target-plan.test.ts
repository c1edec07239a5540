import { isVelosError, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
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
});
