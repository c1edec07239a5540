import { describe, expect, it } from 'vitest';
import {
  noteRestart,
  RECENT_RESTARTS_WINDOW_MS,
  type RestartTimes,
  recentRestartsOf,
} from '../src/recent-restarts.js';

const T0 = 1_700_000_000_000;

describe('recentRestartsOf', () => {
  it('counts the restarts not asked for within five minutes, its own apart from its primary’s', () => {
    const times: RestartTimes = [];
    expect(recentRestartsOf(times, T0)).toEqual({});
    noteRestart(times, 'crash', T0);
    noteRestart(times, 'user', T0 + 1000);
    noteRestart(times, 'watch', T0 + 1500);
    noteRestart(times, 'memory', T0 + 2000);
    noteRestart(times, 'primary-exit', T0 + 3000);
    expect(recentRestartsOf(times, T0 + 3000)).toEqual({ recentRestarts: { own: 2, primary: 1 } });
    // the first leaves the window; then all of them
    expect(recentRestartsOf(times, T0 + RECENT_RESTARTS_WINDOW_MS + 1)).toEqual({
      recentRestarts: { own: 1, primary: 1 },
    });
    expect(recentRestartsOf(times, T0 + 3000 + RECENT_RESTARTS_WINDOW_MS + 1)).toEqual({});
  });

  it('forgets the times out of the window and keeps at most 100 of a loop without delay', () => {
    const times: RestartTimes = [];
    noteRestart(times, 'crash', T0);
    noteRestart(times, 'crash', T0 + RECENT_RESTARTS_WINDOW_MS + 1);
    expect(times).toEqual([{ at: T0 + RECENT_RESTARTS_WINDOW_MS + 1, isPrimaryExit: false }]);
    for (let i = 0; i < 500; i++) noteRestart(times, 'exit', T0 + RECENT_RESTARTS_WINDOW_MS + 2 + i);
    expect(times.length).toBe(100);
    expect(recentRestartsOf(times, T0 + RECENT_RESTARTS_WINDOW_MS + 600)).toEqual({
      recentRestarts: { own: 100, primary: 0 },
    });
  });
});
