import type { Subscription } from '@velos/core';

/** What `followResumably` follows, and what it tells its caller. */
export interface ResumableFollow<T> {
  /** Opens the stream; `isResume` once an earlier stream of this follow was lost. */
  open(isResume: boolean): Subscription<T[]>;
  /** Asks the daemon something small (`ping`): it answers once it runs again. */
  probe(): Promise<unknown>;
  /**
   * One batch of the stream; `isFirstAfterResume` for the first one of a reopened stream (its tail).
   * A promise (stdout is full) holds the next batch back until it settles: the stream is not read
   * meanwhile, so the back-pressure reaches the daemon.
   */
  onItems(items: T[], isFirstAfterResume: boolean): void | Promise<void>;
  /** The stream was lost: `error` says why (the connection closed, the daemon stopped…). */
  onLost?(error: Error): void;
  /** The daemon answers again after a loss; the stream is being reopened. */
  onResumed?(): void;
  /**
   * Whether a stream the daemon ended itself (it stopped cleanly: `velos kill`) is reopened once a
   * daemon runs again (monit) or ends the follow (default: `velos logs -f`).
   */
  isEndResumed?: boolean;
  /** Longest pause between two attempts while no daemon answers (default 1000 ms; the first is shorter). */
  retryMs?: number;
}

/** How a resumable follow ended: cancelled by its caller, or its stream ended by the daemon. */
export type FollowEnd = 'cancelled' | 'ended';

/** A running `followResumably`. */
export interface FollowHandle {
  cancel(): void;
  /** Settles when the follow ends; rejects with an error that is not a lost daemon (a bad target…). */
  done: Promise<FollowEnd>;
}

/** The codes of a lost daemon: its connection closed, or nothing listens on its socket (yet). */
const LOST_CODES = new Set(['CONNECTION_CLOSED', 'DAEMON_UNAVAILABLE']);
/** The first pause after a loss: a `velos update` hands over within about a second. */
const FIRST_RETRY_MS = 100;

/** True for the errors of a daemon that went away (or is not there yet), after which a follow may resume. */
export function isDaemonLost(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && LOST_CODES.has(code);
}

/**
 * Follows a stream of the daemon across daemon restarts and hand-overs (`velos update`): when its
 * connection is lost, it asks the daemon with `probe` (100 ms, then doubling up to `retryMs`) until
 * one answers again, then reopens the stream with `open(true)`. It never starts a daemon itself: the
 * caller's client must not (`autoStart: 'once'`).
 * @example
 * const follow = followResumably({ open: () => client.followEvents({}), probe: () => client.ping(), onItems: print });
 */
export function followResumably<T>(follow: ResumableFollow<T>): FollowHandle {
  const retryMs = follow.retryMs ?? 1000;
  let current: Subscription<T[]> | null = null;
  let isCancelled = false;
  let wake: (() => void) | null = null;
  let onCancelled: () => void = () => {};
  const cancelled = new Promise<void>((resolve) => {
    onCancelled = resolve;
  });
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        wake = null;
        resolve();
      }, ms);
      wake = () => {
        clearTimeout(timer);
        wake = null;
        resolve();
      };
    });

  /** Waits until the daemon answers again; false when cancelled meanwhile. */
  const reachDaemon = async (): Promise<boolean> => {
    let pauseMs = FIRST_RETRY_MS;
    for (;;) {
      await pause(pauseMs);
      if (isCancelled) return false;
      try {
        await follow.probe();
        return !isCancelled;
      } catch (error) {
        if (!isDaemonLost(error)) throw error;
      }
      pauseMs = Math.min(pauseMs * 2, retryMs);
    }
  };

  const run = async (): Promise<FollowEnd> => {
    let isResume = false;
    for (;;) {
      const sub = follow.open(isResume);
      current = sub;
      let isFirst = isResume;
      let lost: Error | null = null;
      try {
        for await (const items of sub) {
          if (isCancelled) break;
          const written = follow.onItems(items, isFirst);
          isFirst = false;
          if (written !== undefined) await Promise.race([written, cancelled]);
        }
      } catch (error) {
        if (isCancelled) return 'cancelled';
        if (!isDaemonLost(error)) throw error;
        lost = error as Error;
      }
      if (isCancelled) return 'cancelled';
      if (lost === null) {
        if (!follow.isEndResumed) return 'ended';
        lost = Object.assign(new Error('the Velos daemon stopped'), { code: 'CONNECTION_CLOSED' });
      }
      follow.onLost?.(lost);
      if (!(await reachDaemon())) return 'cancelled';
      follow.onResumed?.();
      isResume = true;
    }
  };

  return {
    cancel() {
      isCancelled = true;
      onCancelled();
      current?.cancel();
      wake?.();
    },
    done: run(),
  };
}
