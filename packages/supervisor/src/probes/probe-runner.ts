import type { ProbeSpec } from '@velos/core';
import { type LongTimer, setLongTimeout } from '../long-timer.js';
import type { ExecContext } from './exec-check.js';
import { runCheck } from './run-check.js';

/** A running probe; `stop` ends its timer and cancels a check in flight. */
export interface ProbeHandle {
  stop(): void;
}

/**
 * Runs a probe's checks: the first after `initialDelayMs`, then one every `intervalMs` (counted from
 * the previous check's start, never two at a time); each result (null = passed) goes to `onResult`.
 */
export function startProbe(
  spec: ProbeSpec,
  context: ExecContext,
  onResult: (reason: string | null) => void,
): ProbeHandle {
  const stop = new AbortController();
  let timer: LongTimer | null = null;
  const schedule = (delayMs: number) => {
    timer = setLongTimeout(tick, delayMs, { unref: true });
  };
  const tick = async () => {
    timer = null;
    const startedAt = Date.now();
    const reason = await runCheck(spec, spec.timeoutMs, context, stop.signal);
    if (stop.signal.aborted) return;
    onResult(reason);
    if (!stop.signal.aborted) schedule(spec.intervalMs - (Date.now() - startedAt));
  };
  schedule(spec.initialDelayMs);
  return {
    stop() {
      stop.abort();
      timer?.clear();
      timer = null;
    },
  };
}
