import type { LogPipeline } from '../logs/log-pipeline.js';

/** How long the reads stay stopped after a hand-over the daemon outlived (a `velos update` that failed). */
export const HAND_OVER_GRACE_MS = 30_000;

/** The hand-over of the apps' output to the next daemon (see `createReadHandOver`). */
export interface ReadHandOver {
  /** Stops every pipeline's reads and resolves, with their count, once what they read is written. */
  handOver(): Promise<{ processes: number }>;
  /** Forgets the grace timer (the daemon closes). */
  close(): void;
}

/**
 * SUP-13's `velos update`: the old daemon is ended with SIGKILL, so a line it read and had not yet
 * written when the signal came was lost (a line written to a FIFO during the hand-over, rarely, on a
 * loaded machine). Before the kill, `handOver` stops the reads of every process's pipes (what the
 * children write meanwhile waits in the FIFOs for the next daemon) and waits until every line read
 * is on disk. If the daemon is still alive HAND_OVER_GRACE_MS later, its update failed: it reads again.
 */
export function createReadHandOver(
  pipelines: () => Iterable<LogPipeline>,
  log: (line: string) => void,
): ReadHandOver {
  let grace: NodeJS.Timeout | null = null;
  let suspended: LogPipeline[] = [];
  const resume = () => {
    grace = null;
    for (const pipeline of suspended) pipeline.unsuspend();
    log(
      `hand-over: not ended within ${HAND_OVER_GRACE_MS / 1000} s, reading the output of ${suspended.length} process(es) again`,
    );
    suspended = [];
  };
  return {
    async handOver() {
      if (grace !== null) clearTimeout(grace);
      // from now: a write that hangs keeps the answer back, not the reads stopped for ever
      grace = setTimeout(resume, HAND_OVER_GRACE_MS);
      grace.unref();
      const all = [...pipelines()];
      suspended = [...new Set([...suspended, ...all])];
      await Promise.all(all.map((pipeline) => pipeline.suspend()));
      log(`hand-over: stopped reading the output of ${all.length} process(es); every line read is written`);
      return { processes: all.length };
    },
    close() {
      if (grace !== null) clearTimeout(grace);
      grace = null;
    },
  };
}
