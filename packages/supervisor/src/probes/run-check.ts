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
  // the check's module (node:http, node:https and TLS for the first https probe) loads before the clock
  // starts: on a loaded machine the first check of a daemon failed `timeout after 2000 ms` on its import
  const startCheck = await loadCheck(check);
  if (stop.aborted) return 'aborted';
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
    const reason = await Promise.race([startCheck(controller.signal, context), aborted]);
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

type StartCheck = (signal: AbortSignal, context: ExecContext) => Promise<string | null>;

/** The check's runner; each kind's module is loaded on its first use. */
async function loadCheck(check: ProbeCheck): Promise<StartCheck> {
  if (check.kind === 'http') {
    const { checkHttp } = await import('./http-check.js');
    // checkHttp imports it again, from the module cache by then
    await (new URL(check.url).protocol === 'https:' ? import('node:https') : import('node:http'));
    return (signal) => checkHttp(check, signal);
  }
  if (check.kind === 'tcp') {
    const { checkTcp } = await import('./tcp-check.js');
    return (signal) => checkTcp(check, signal);
  }
  const { checkExec } = await import('./exec-check.js');
  return (signal, context) => checkExec(check, signal, context);
}
