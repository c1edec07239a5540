/**
 * One exit of the process whose lines are analysed, as its supervisor saw it (the engine itself
 * never sees processes: the caller supplies these, see `SummaryOptions.exits`).
 */
export interface ExitFact {
  /** Epoch ms of the exit. */
  ts: number;
  code?: number | null;
  signal?: string | null;
  /** Why it ended, in the supervisor's words (`crash`, `user`, `memory`…). */
  reason?: string;
  /** A failure nobody asked for (a crash, a memory or health-check kill): it lowers the health score. */
  isCrash: boolean;
  /** The supervisor started the process again after it. */
  isRestart?: boolean;
}

/** The exits of a summary's period, counted. */
export interface ExitStats {
  exits: number;
  crashes: number;
  restarts: number;
  /** The newest exit. */
  last: ExitFact | undefined;
}

/** Counts `exits` (in any order). */
export function countExits(exits: readonly ExitFact[]): ExitStats {
  let crashes = 0;
  let restarts = 0;
  let last: ExitFact | undefined;
  for (const exit of exits) {
    if (exit.isCrash) crashes += 1;
    if (exit.isRestart) restarts += 1;
    if (last === undefined || exit.ts >= last.ts) last = exit;
  }
  return { exits: exits.length, crashes, restarts, last };
}

/** True for a crash the process died of by itself: a non-zero exit code or a signal. */
export function isCrashExit(exit: ExitFact): boolean {
  return exit.isCrash && ((exit.code ?? 0) !== 0 || (exit.signal ?? null) !== null);
}
