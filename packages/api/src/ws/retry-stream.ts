import { ErrorCodes, isVelosError, type Subscription } from '@velos/core';

/** First wait before reopening a daemon subscription that failed; it doubles up to the maximum. */
export const RETRY_BASE_DELAY_MS = 250;

/** Codes that no retry can fix: the request itself is wrong (e.g. an unknown target). */
const FINAL_CODES = new Set<string>([
  ErrorCodes.TARGET_NOT_FOUND,
  ErrorCodes.INVALID_ARGUMENT,
  ErrorCodes.UNKNOWN_COMMAND,
]);

/** What `runRetryStream` calls back. */
export interface RetryStreamHandlers<T> {
  /** Opens the daemon subscription (again after a failure). */
  open: () => Subscription<T>;
  onItem: (item: T) => void;
  /** The daemon went away (or ended the stream): called once per outage, before the retries. */
  onOutage: (error: unknown) => void;
  /** The daemon refused the subscription for a reason no retry fixes; the stream is not reopened. */
  onFinal: (error: unknown) => void;
  /**
   * The daemon answers again after an outage (`probe`, run beside each reopening, resolved while its
   * subscription is open): called once per outage, `outageStartedAt` being when it was noticed.
   */
  onResume?: (outageStartedAt: number) => void;
  /** A request that succeeds only when the daemon is back (a follow may send nothing until an item). */
  probe?: () => Promise<unknown>;
  /** Longest wait between two attempts. */
  maxDelayMs: number;
}

/** A running daemon subscription that reopens itself; `stop` cancels it for good. */
export interface RetryStream {
  stop(): void;
}

/** True when an error is about the request, not about the daemon being reachable. */
export function isFinalError(error: unknown): boolean {
  return isVelosError(error) && FINAL_CODES.has(error.code);
}

/** The code of an error to tell a client (`INTERNAL` for a throw that is not a `VelosError`). */
export function errorCodeOf(error: unknown): string {
  return isVelosError(error) ? error.code : ErrorCodes.INTERNAL;
}

/** The message of an error to tell a client. */
export function errorMessageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The one-line notice clients get when the daemon cannot be reached. */
export function unavailableMessage(error: unknown): string {
  const cause = error instanceof Error ? error.message : String(error);
  return `the daemon is unreachable (${cause}); retrying`;
}

/** The wait before attempt `attempt` (0-based) of reopening, in ms. */
export function retryDelayMs(attempt: number, maxDelayMs: number): number {
  return Math.min(maxDelayMs, RETRY_BASE_DELAY_MS * 2 ** Math.min(attempt, 16));
}

/**
 * Keeps a daemon subscription open: items go to `onItem`; when it fails or ends (daemon gone,
 * restarted) it is reopened with exponential backoff, and `onOutage` tells about it once per outage.
 */
export function runRetryStream<T>(handlers: RetryStreamHandlers<T>): RetryStream {
  let isStopped = false;
  let current: Subscription<T> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let wake: (() => void) | null = null;

  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      wake = resolve;
      timer = setTimeout(resolve, ms);
    });

  const loop = async (): Promise<void> => {
    let attempt = 0;
    let isInOutage = false;
    let outageStartedAt = 0;
    const resume = (subscription: Subscription<T>): void => {
      if (isStopped || current !== subscription || !isInOutage) return;
      isInOutage = false;
      handlers.onResume?.(outageStartedAt);
    };
    while (!isStopped) {
      let failure: unknown = null;
      let subscription: Subscription<T> | null = null;
      try {
        const opened = handlers.open();
        subscription = opened;
        current = opened;
        if (isInOutage && handlers.probe)
          handlers.probe().then(
            () => resume(opened),
            () => undefined,
          );
        for await (const item of subscription) {
          if (isStopped) break;
          attempt = 0;
          resume(opened);
          handlers.onItem(item);
        }
      } catch (error) {
        failure = error;
      } finally {
        subscription?.cancel();
        current = null;
      }
      if (isStopped) return;
      if (isFinalError(failure)) {
        handlers.onFinal(failure);
        return;
      }
      if (!isInOutage) {
        isInOutage = true;
        outageStartedAt = Date.now();
        handlers.onOutage(failure ?? new Error('the daemon ended the subscription'));
      }
      await pause(retryDelayMs(attempt, handlers.maxDelayMs));
      attempt += 1;
    }
  };
  void loop();

  return {
    stop() {
      if (isStopped) return;
      isStopped = true;
      current?.cancel();
      if (timer) clearTimeout(timer);
      wake?.();
    },
  };
}
