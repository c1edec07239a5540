import { describe, expect, it } from 'vitest';
import { matchTarget } from '../src/target-match.js';

const processes = [
  { id: 0, name: 'api', namespace: 'web' },
  { id: 1, name: 'api', namespace: 'web' },
  { id: 2, name: 'worker', namespace: 'jobs' },
  { id: 3, name: '7', namespace: 'default' },
];
const ids = (target: string) => matchTarget(processes, target, (p) => p).map((p) => p.id);

describe('matchTarget (CLI-2)', () => {
  it('takes all, then an id, then an app name, then a namespace: the first that matches', () => {
    expect(ids('all')).toEqual([0, 1, 2, 3]);
    expect(ids('2')).toEqual([2]);
    expect(ids('api')).toEqual([0, 1]);
    expect(ids('jobs')).toEqual([2]);
    // a number that is no id is an app's name
    expect(ids('7')).toEqual([3]);
    expect(ids('nope')).toEqual([]);
  });
});
