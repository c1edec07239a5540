import { describe, expect, it, vi } from 'vitest';
import { followResumably, isDaemonLost } from '../../src/follow/resumable-follow.js';
import { connectionClosed, type PushSubscription, pushSubscription } from '../monit/fake-control.js';

/** A follow over hand-fed subscriptions and a daemon the test takes away and brings back. */
function harness(isEndResumed = false) {
  const subs: { isResume: boolean; sub: PushSubscription<number> }[] = [];
  const seen: [number[], boolean][] = [];
  const log: string[] = [];
  const daemon = { isUp: true, probes: 0 };
  const follow = followResumably<number>({
    open: (isResume) => {
      const sub = pushSubscription<number>();
      subs.push({ isResume, sub });
      return sub;
    },
    probe: async () => {
      daemon.probes += 1;
      if (!daemon.isUp) throw Object.assign(new Error('no daemon'), { code: 'DAEMON_UNAVAILABLE' });
    },
    onItems: (items, isFirstAfterResume) => {
      seen.push([items, isFirstAfterResume]);
    },
    onLost: (error) => log.push(`lost: ${error.message}`),
    onResumed: () => log.push('resumed'),
    isEndResumed,
    retryMs: 20,
  });
  return { follow, subs, seen, log, daemon };
}

describe('resumable follow', () => {
  it('waits for a daemon after a lost connection, then reopens the stream and marks its first batch', async () => {
    const h = harness();
    h.subs[0]?.sub.push([1, 2]);
    await vi.waitFor(() => expect(h.seen).toEqual([[[1, 2], false]]));
    h.daemon.isUp = false;
    h.subs[0]?.sub.fail(connectionClosed('logs.follow'));
    await vi.waitFor(() => expect(h.daemon.probes).toBeGreaterThanOrEqual(3));
    expect(h.subs).toHaveLength(1);
    expect(h.log).toEqual([
      'lost: the connection to the Velos daemon closed while waiting for "logs.follow"',
    ]);
    h.daemon.isUp = true;
    await vi.waitFor(() => expect(h.subs).toHaveLength(2));
    expect(h.subs[1]?.isResume).toBe(true);
    expect(h.log.at(-1)).toBe('resumed');
    h.subs[1]?.sub.push([2, 3]);
    h.subs[1]?.sub.push([4]);
    await vi.waitFor(() =>
      expect(h.seen.slice(1)).toEqual([
        [[2, 3], true],
        [[4], false],
      ]),
    );
    h.follow.cancel();
    await expect(h.follow.done).resolves.toBe('cancelled');
  });

  it('ends when the daemon ends the stream (it stopped cleanly), unless told to follow the next daemon', async () => {
    const ending = harness();
    ending.subs[0]?.sub.cancel();
    await expect(ending.follow.done).resolves.toBe('ended');
    const resuming = harness(true);
    resuming.subs[0]?.sub.cancel();
    await vi.waitFor(() => expect(resuming.subs).toHaveLength(2));
    resuming.follow.cancel();
    await expect(resuming.follow.done).resolves.toBe('cancelled');
  });

  it('fails on an error that is no lost daemon, and can be cancelled while it waits', async () => {
    const failing = harness();
    failing.subs[0]?.sub.fail(Object.assign(new Error('no process "x"'), { code: 'TARGET_NOT_FOUND' }));
    await expect(failing.follow.done).rejects.toThrow('no process "x"');
    const waiting = harness();
    waiting.daemon.isUp = false;
    waiting.subs[0]?.sub.fail(connectionClosed('events.follow'));
    await vi.waitFor(() => expect(waiting.daemon.probes).toBeGreaterThan(0));
    waiting.follow.cancel();
    await expect(waiting.follow.done).resolves.toBe('cancelled');
    expect(isDaemonLost(connectionClosed('x'))).toBe(true);
    expect(isDaemonLost(new Error('x'))).toBe(false);
  });
});
