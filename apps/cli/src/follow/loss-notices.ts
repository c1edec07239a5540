/** How long a follow waits quietly for its daemon (a `velos update` hands over within a second or two). */
export const LOSS_NOTICE_AFTER_MS = 3000;

/** The stderr lines of a command that follows (`velos logs -f`, `velos events -f`) while its daemon is away. */
export interface LossNotices {
  onLost(error: Error): void;
  onResumed(): void;
  /** Drops a pending notice (the follow ended). */
  stop(): void;
}

/**
 * Says on stderr that the daemon is gone once it stayed away `LOSS_NOTICE_AFTER_MS`, and that it is
 * back when it was said gone; a hand-over that quick goes unmentioned.
 * @example const notices = lossNotices('logs'); // velos logs: lost the Velos daemon (…); …
 */
export function lossNotices(
  command: string,
  write: (text: string) => void = (text) => process.stderr.write(text),
  afterMs = LOSS_NOTICE_AFTER_MS,
): LossNotices {
  let timer: NodeJS.Timeout | null = null;
  let isNoticed = false;
  const clear = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return {
    onLost(error) {
      if (timer !== null || isNoticed) return;
      timer = setTimeout(() => {
        timer = null;
        isNoticed = true;
        write(
          `velos ${command}: lost the Velos daemon (${error.message}); following again once it runs (Ctrl-C to stop)\n`,
        );
      }, afterMs);
    },
    onResumed() {
      clear();
      if (isNoticed) write(`velos ${command}: the Velos daemon runs again; following\n`);
      isNoticed = false;
    },
    stop: clear,
  };
}
