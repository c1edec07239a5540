import { setTimeout } from 'node:timers';

/** The pipes in one pause of one length, and the timer that ends it (kept and refreshed between pauses). */
interface PauseGroup {
  readonly timer: NodeJS.Timeout;
  /** The wake-ups of the pause under way; empty while none is. */
  wakes: Set<() => void>;
  isArmed: boolean;
}

/** One group per pause length (1, 2, 4, 8 or 16 ms, see `ReadPacer`). */
const groups = new Map<number, PauseGroup>();

/**
 * Calls `wake` when a pause of `pauseMs` ends, in step with the other captured pipes of the daemon
 * (issue 17): a pipe that pauses joins the pause of the same length another pipe began before it and
 * that has not ended yet (which ends sooner than one of its own would), so the pipes of one pause are
 * read in one turn of the event loop, one wake-up of the daemon for all of them instead of one per pipe.
 * Pipes that log at a steady rate soon pause in step. No clock is read: Node's timer ends each pause
 * (from `node:timers`, which test doubles of the global timers leave alone).
 */
export function wakeWithGroup(pauseMs: number, wake: () => void): void {
  let group = groups.get(pauseMs);
  if (group === undefined) {
    const created: PauseGroup = {
      timer: setTimeout(() => endPause(created), pauseMs),
      wakes: new Set(),
      isArmed: true,
    };
    groups.set(pauseMs, created);
    group = created;
  } else if (!group.isArmed) {
    group.timer.refresh();
    group.isArmed = true;
  }
  group.wakes.add(wake);
}

/** Forgets a wake-up that has not come yet (the pause itself goes on and ends for the others). */
export function cancelGroupWake(pauseMs: number, wake: () => void): void {
  groups.get(pauseMs)?.wakes.delete(wake);
}

function endPause(group: PauseGroup): void {
  group.isArmed = false;
  const { wakes } = group;
  if (wakes.size === 0) return;
  // a wake-up may start the next pause of this length: it goes to a fresh set
  group.wakes = new Set();
  let failure: unknown = null;
  for (const wake of wakes) {
    // one pipe's failure must not leave the others paused for good
    try {
      wake();
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== null) throw failure;
}

/** Wake-ups not come yet (tests). */
export function pendingGroupWakes(): number {
  let count = 0;
  for (const group of groups.values()) count += group.wakes.size;
  return count;
}
