import { describe, expect, it } from 'vitest';
import { createRestartLoopDetector, LOOP_RESTARTS, LOOP_WINDOW_MS } from '../src/watch/restart-loop.js';

describe('createRestartLoopDetector', () => {
  it('tells once, at the LOOP_RESTARTS-th watch restart in a row that came soon after a start', () => {
    const loops = createRestartLoopDetector();
    const said: (string | null)[] = [];
    for (let i = 0; i < LOOP_RESTARTS + 3; i++) said.push(loops.note('api', 300, 500, '/srv/api/cache.json'));
    expect(said.filter((line) => line !== null)).toEqual([
      `api: watch: ${LOOP_RESTARTS} restarts in a row for changes that came within 5.5 s of a start ` +
        '(the latest: /srv/api/cache.json): if the app writes there itself, it restarts itself in a loop; add that path to ignore_watch',
    ]);
    expect(said.findIndex((line) => line !== null)).toBe(LOOP_RESTARTS - 1);
  });

  it('starts over after a restart of a process that had been up for longer, or one not running', () => {
    const loops = createRestartLoopDetector();
    for (let i = 0; i < LOOP_RESTARTS - 1; i++) expect(loops.note('api', 100, 500, '/a')).toBeNull();
    // an edit saved a while after the start: the streak ends
    expect(loops.note('api', 500 + LOOP_WINDOW_MS + 1, 500, '/a')).toBeNull();
    for (let i = 0; i < LOOP_RESTARTS - 1; i++) expect(loops.note('api', 100, 500, '/a')).toBeNull();
    expect(loops.note('api', null, 500, '/a')).toBeNull();
    for (let i = 0; i < LOOP_RESTARTS - 1; i++) expect(loops.note('api', 100, 500, '/a')).toBeNull();
    loops.forget('api');
    expect(loops.note('api', 100, 500, '/a')).toBeNull();
    // apps are counted apart
    for (let i = 0; i < LOOP_RESTARTS - 1; i++) expect(loops.note('web', 100, 500, '/w')).toBeNull();
    expect(loops.note('web', 100, 500, '/w')).not.toBeNull();
  });
});
