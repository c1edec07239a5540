import type { ProbeCheck } from '@velos/core';
import { setLongTimeout } from '../long-timer.js';
import type { ExecContext } from './exec-check.js';

/**
 * Runs one check with a deadline: null when it passes, else the reason it failed (`HTTP 503`,
 * `timeout after 2000 ms`…). Aborting `stop` cancels it (its socket closed, its command killed).
 */
export async function runCheck(
  check: ProbeCheck,
  timeoutMs: number,
  context: ExecContext,
  stop: AbortSignal,
): Promise<string | null> {
  const controller = new AbortController();
  let isTimedOut = false;
  const timer = setLongTimeout(() => {
    isTimedOut = true;
    controller.abort();
  }, timeoutMs);
  const onStop = () => controller.abort();
  stop.addEventListener('abort', onStop, { once: true });
  const aborted = new Promise<string>((resolve) =>
    controller.signal.addEventListener('abort', () => resolve('aborted'), { once: true }),
  );
  try {
    const reason = await Promise.race([startCheck(check, controller.signal, context), aborted]);
    return isTimedOut ? `timeout after ${timeoutMs} ms` : reason;
  } catch (error) {
    return isTimedOut
      ? `timeout after ${timeoutMs} ms`
      : error instanceof Error
        ? error.message
        : String(error);
  } finally {
    timer.clear();
    stop.removeEventListener('abort', onStop);
  }
}

/** Each kind's module is loaded on its first use. */
async function startCheck(
  check: ProbeCheck,
  signal: AbortSignal,
  context: ExecContext,
): Promise<string | null> {
  if (check.kind === 'http') return (await import('./http-check.js')).checkHttp(check, signal);
  if (check.kind === 'tcp') return (await import('./tcp-check.js')).checkTcp(check, signal);
  return (await import('./exec-check.js')).checkExec(check, signal, context);
}
