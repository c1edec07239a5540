import { APP_DEFAULTS } from '@velos/core';
import { describe, expect, it } from 'vitest';
import {
  BACKOFF_RESET_UPTIME_MS,
  decideMemoryRestart,
  decideRestart,
  decideUnhealthyRestart,
  type ExitFacts,
  nextBackoffMs,
  type RestartPolicySpec,
  type UnhealthyFacts,
} from '../src/restart-policy.js';

const spec: RestartPolicySpec = { ...APP_DEFAULTS, stopExitCodes: [] };
const crash: ExitFacts = {
  exitCode: 1,
  signal: null,
  uptimeMs: 60_000,
  unstableRestarts: 0,
  backoffMs: 0,
  isUserAction: false,
};

describe('decideRestart', () => {
  it('leaves an exit during a user stop/restart/delete to the user operation', () => {
    expect(decideRestart(spec, { ...crash, isUserAction: true })).toEqual({ action: 'none' });
  });

  it('restarts a crash after restart_delay and calls it a crash', () => {
    const decision = decideRestart({ ...spec, restartDelayMs: 250 }, crash);
    expect(decision).toEqual({
      action: 'restart',
      reason: 'crash',
      delayMs: 250,
      unstableRestarts: 0,
      backoffMs: 0,
    });
  });

  it('restarts a clean exit too, as reason exit', () => {
    expect(decideRestart(spec, { ...crash, exitCode: 0 })).toMatchObject({
      action: 'restart',
      reason: 'exit',
    });
  });

  it('calls a death by signal a crash', () => {
    expect(decideRestart(spec, { ...crash, exitCode: null, signal: 'SIGKILL' })).toMatchObject({
      action: 'restart',
      reason: 'crash',
    });
  });

  it('stops without autorestart, keeping the reason', () => {
    expect(decideRestart({ ...spec, autorestart: false }, crash)).toMatchObject({
      action: 'stop',
      reason: 'crash',
    });
    expect(decideRestart({ ...spec, autorestart: false }, { ...crash, exitCode: 0 })).toMatchObject({
      action: 'stop',
      reason: 'exit',
    });
  });

  it('stops on a stop exit code, a clean exit (not a crash)', () => {
    const withCodes = { ...spec, stopExitCodes: [0, 3] };
    expect(decideRestart(withCodes, { ...crash, exitCode: 3 })).toMatchObject({
      action: 'stop',
      reason: 'exit',
    });
    expect(decideRestart(withCodes, { ...crash, exitCode: 4 })).toMatchObject({ action: 'restart' });
  });

  describe('a re-adopted run that ended (exit status unknown, SUP-13)', () => {
    const unknown: ExitFacts = { ...crash, exitCode: null, signal: null, isStatusUnknown: true };

    it('calls it unknown, not a crash, and restarts it under autorestart', () => {
      expect(decideRestart({ ...spec, restartDelayMs: 250 }, unknown)).toEqual({
        action: 'restart',
        reason: 'unknown',
        delayMs: 250,
        unstableRestarts: 0,
        backoffMs: 0,
      });
    });

    it('stops it (not errored) without autorestart', () => {
      expect(decideRestart({ ...spec, autorestart: false }, unknown)).toEqual({
        action: 'stop',
        reason: 'unknown',
        unstableRestarts: 0,
        backoffMs: 0,
      });
    });

    it('cannot match stop_exit_codes: the code is unknown, so it restarts', () => {
      expect(decideRestart({ ...spec, stopExitCodes: [0, 1] }, unknown)).toMatchObject({
        action: 'restart',
        reason: 'unknown',
      });
    });

    it('counts a short run as unstable like any other, up to errored', () => {
      const limited = { ...spec, maxRestarts: 1 };
      expect(decideRestart(limited, { ...unknown, uptimeMs: 10 })).toMatchObject({
        action: 'restart',
        unstableRestarts: 1,
      });
      expect(decideRestart(limited, { ...unknown, uptimeMs: 10, unstableRestarts: 1 })).toMatchObject({
        action: 'errored',
        reason: 'unknown',
      });
    });
  });

  describe('a cluster worker ended by its primary exit (SUP-5)', () => {
    const gone: ExitFacts = { ...crash, exitCode: null, signal: null, isPrimaryGone: true };

    it('calls it primary-exit, not a crash, and restarts it under autorestart', () => {
      expect(decideRestart({ ...spec, restartDelayMs: 250 }, gone)).toEqual({
        action: 'restart',
        reason: 'primary-exit',
        delayMs: 250,
        unstableRestarts: 0,
        backoffMs: 0,
      });
      expect(decideRestart({ ...spec, autorestart: false }, gone)).toMatchObject({
        action: 'stop',
        reason: 'primary-exit',
      });
    });

    it('still counts a short run as unstable: a primary dying at every start ends errored, not in a loop', () => {
      const limited = { ...spec, maxRestarts: 1 };
      expect(decideRestart(limited, { ...gone, uptimeMs: 10 })).toMatchObject({
        action: 'restart',
        unstableRestarts: 1,
      });
      expect(decideRestart(limited, { ...gone, uptimeMs: 10, unstableRestarts: 1 })).toMatchObject({
        action: 'errored',
        reason: 'primary-exit',
      });
    });
  });

  it('counts a short run as unstable and a stable run resets the count', () => {
    const short = { ...crash, uptimeMs: 10, unstableRestarts: 2 };
    expect(decideRestart(spec, short)).toMatchObject({ action: 'restart', unstableRestarts: 3 });
    expect(decideRestart(spec, { ...short, uptimeMs: spec.minUptimeMs })).toMatchObject({
      unstableRestarts: 0,
    });
  });

  it('turns errored once unstable restarts exceed max_restarts', () => {
    const limited = { ...spec, maxRestarts: 2 };
    expect(decideRestart(limited, { ...crash, uptimeMs: 10, unstableRestarts: 1 })).toMatchObject({
      action: 'restart',
      unstableRestarts: 2,
    });
    expect(decideRestart(limited, { ...crash, uptimeMs: 10, unstableRestarts: 2 })).toMatchObject({
      action: 'errored',
      reason: 'crash',
      unstableRestarts: 2,
    });
    expect(decideRestart({ ...spec, maxRestarts: 0 }, { ...crash, uptimeMs: 10 })).toMatchObject({
      action: 'errored',
    });
  });

  it('uses the exponential backoff instead of restart_delay when enabled', () => {
    const backoff = { ...spec, restartDelayMs: 5, expBackoffRestartDelayMs: 100, maxBackoffDelayMs: 1000 };
    const first = decideRestart(backoff, { ...crash, uptimeMs: 10 });
    expect(first).toMatchObject({ action: 'restart', delayMs: 100, backoffMs: 100 });
    const second = decideRestart(backoff, { ...crash, uptimeMs: 10, backoffMs: 100, unstableRestarts: 1 });
    expect(second).toMatchObject({ action: 'restart', delayMs: 150, backoffMs: 150 });
  });
});

describe('nextBackoffMs', () => {
  const backoff = { ...spec, expBackoffRestartDelayMs: 100, maxBackoffDelayMs: 400 };

  it('grows by 1.5 per consecutive restart up to the cap', () => {
    const delays: number[] = [];
    let previous = 0;
    for (let i = 0; i < 6; i += 1) {
      previous = nextBackoffMs(backoff, previous, 10);
      delays.push(previous);
    }
    expect(delays).toEqual([100, 150, 225, 338, 400, 400]);
  });

  it('resets to the initial delay after a run of at least 30 s', () => {
    expect(nextBackoffMs(backoff, 400, BACKOFF_RESET_UPTIME_MS - 1)).toBe(400);
    expect(nextBackoffMs(backoff, 400, BACKOFF_RESET_UPTIME_MS)).toBe(100);
  });

  it('never starts above the cap', () => {
    expect(nextBackoffMs({ ...backoff, expBackoffRestartDelayMs: 1000 }, 0, 0)).toBe(400);
  });
});

describe('decideUnhealthyRestart (a failed liveness probe)', () => {
  const sick: UnhealthyFacts = { uptimeMs: 60_000, hasPassed: false, unstableRestarts: 0, backoffMs: 0 };

  it('restarts after restart_delay, as after an exit (it restarted at once whatever restart_delay said)', () => {
    expect(decideUnhealthyRestart({ ...spec, restartDelayMs: 2000 }, sick)).toEqual({
      action: 'restart',
      reason: 'unhealthy',
      delayMs: 2000,
      unstableRestarts: 1,
      backoffMs: 0,
    });
    expect(decideUnhealthyRestart(spec, { ...sick, hasPassed: true, unstableRestarts: 4 })).toMatchObject({
      delayMs: 0,
      unstableRestarts: 0,
    });
  });

  it('is not restarted without autorestart: errored', () => {
    expect(decideUnhealthyRestart({ ...spec, autorestart: false }, sick)).toEqual({
      action: 'errored',
      reason: 'unhealthy',
      unstableRestarts: 0,
      backoffMs: 0,
    });
  });

  it('turns errored after max_restarts runs in a row on which the probe never passed', () => {
    expect(
      decideUnhealthyRestart({ ...spec, maxRestarts: 2 }, { ...sick, unstableRestarts: 2 }),
    ).toMatchObject({
      action: 'errored',
      unstableRestarts: 2,
    });
  });

  it('grows the backoff over runs on which the probe never passed, however long they lasted', () => {
    const backoff = { ...spec, expBackoffRestartDelayMs: 100, maxBackoffDelayMs: 10_000 };
    const long = BACKOFF_RESET_UPTIME_MS * 2;
    let facts: UnhealthyFacts = { ...sick, uptimeMs: long };
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const decision = decideUnhealthyRestart(backoff, facts);
      if (decision.action !== 'restart') throw new Error(`expected a restart, got ${decision.action}`);
      delays.push(decision.delayMs);
      facts = { ...facts, unstableRestarts: decision.unstableRestarts, backoffMs: decision.backoffMs };
    }
    expect(delays).toEqual([100, 150, 225]);
    // a run on which it passed, long enough, starts the backoff again
    expect(decideUnhealthyRestart(backoff, { ...facts, hasPassed: true })).toMatchObject({ delayMs: 100 });
  });
});

describe('decideMemoryRestart (a run over max_memory)', () => {
  const grown = { uptimeMs: 60_000, wasUnderLimit: true, unstableRestarts: 3 };

  it('restarts a run that grew past its limit after min_uptime, with a clean count', () => {
    expect(decideMemoryRestart(spec, grown)).toEqual({ action: 'restart', unstableRestarts: 0 });
  });

  it('counts as unstable a run shorter than min_uptime, or one over the limit at its first sample', () => {
    expect(decideMemoryRestart(spec, { ...grown, uptimeMs: 500 })).toEqual({
      action: 'restart',
      unstableRestarts: 4,
    });
    expect(decideMemoryRestart(spec, { ...grown, wasUnderLimit: false })).toEqual({
      action: 'restart',
      unstableRestarts: 4,
    });
  });

  it('ends errored after max_restarts unstable memory restarts in a row (a limit below the baseline)', () => {
    const born = { uptimeMs: 60_000, wasUnderLimit: false };
    expect(decideMemoryRestart({ ...spec, maxRestarts: 2 }, { ...born, unstableRestarts: 1 })).toEqual({
      action: 'restart',
      unstableRestarts: 2,
    });
    expect(decideMemoryRestart({ ...spec, maxRestarts: 2 }, { ...born, unstableRestarts: 2 })).toEqual({
      action: 'errored',
      unstableRestarts: 2,
    });
  });
});
