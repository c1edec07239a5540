import { type AppSpec, instanceEnv, type ProbeSpec } from '@velos/core';
import { instanceProbe } from '../probes/instance-probe.js';
import { STARTING_CHECK_MS } from '../probes/probe-runner.js';
import { runCheck } from '../probes/run-check.js';
import type { ProcessRecord } from '../process-record.js';
import type { WorkerSlot, WorkerSlots } from './worker-slots.js';

/** How a reload's new worker came out of its probe: ready, exited first, or not ready by the deadline. */
export interface CandidateProbeResult {
  outcome: 'ready' | 'exited' | 'timeout';
  /** The latest failed check's reason (`HTTP 503`), or why there was no check. */
  reason: string | null;
}

/** The port an http or tcp probe checks for `instance` (the URL's default port when it names none); null for exec. */
export function probedPort(probe: ProbeSpec, spec: AppSpec, instance: number): number | null {
  const check = instanceProbe(probe, spec, instance);
  if (check.kind === 'tcp') return check.port;
  if (check.kind !== 'http') return null;
  const url = new URL(check.url);
  if (url.port !== '') return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * Checks a reload's new worker with the app's probe until a check passes (the first pass counts, as
 * for a starting process), it exits, or `deadline` passes. With `port` (the shared port the probe
 * checks), the check goes to the worker's probe door instead (its own loopback port, which the worker
 * opens once it listens on `port`), so no other worker answers for it (on `port` when the door could
 * not open); else (an exec check, a check of another program's port) it runs as written, with the
 * instance's environment. Checks start after the probe's `initial_delay`, then come every `interval`
 * (every second at most).
 */
export async function probeCandidate(
  slots: WorkerSlots,
  slot: WorkerSlot,
  probe: ProbeSpec,
  record: ProcessRecord,
  port: number | null,
  deadline: number,
): Promise<CandidateProbeResult> {
  const spec = record.app.spec;
  const context = { cwd: spec.cwd, env: instanceEnv(spec, record) };
  const stop = new AbortController();
  const isGone = (s: WorkerSlot) => s.hasExited;
  let reason: string | null = null;
  if (probe.initialDelayMs > 0) {
    const delayMs = Math.min(probe.initialDelayMs, deadline - Date.now());
    if ((await slots.wait(slot, isGone, delayMs)) !== 'timeout') return { outcome: 'exited', reason };
  }
  for (;;) {
    let remainingMs = deadline - Date.now();
    if (remainingMs <= 0) return { outcome: 'timeout', reason };
    let check = probe;
    if (port !== null) {
      // a worker whose door could not open is probed as written, once it listens on the port
      const door = await slots.wait(
        slot,
        (s) => s.hasExited || s.probeDoor || (s.probeDoorFailure !== null && s.ports.has(port)),
        remainingMs,
      );
      if (door === 'timeout')
        return { outcome: 'timeout', reason: reason ?? `it did not listen on port ${port}` };
      if (slot.hasExited) return { outcome: 'exited', reason };
      if (typeof door === 'number') check = atDoor(probe, door);
      remainingMs = deadline - Date.now();
    }
    const result = await runCheck(
      check,
      Math.max(1, Math.min(probe.timeoutMs, remainingMs)),
      context,
      stop.signal,
    );
    if (slot.hasExited) return { outcome: 'exited', reason };
    if (result === null) return { outcome: 'ready', reason: null };
    reason = result;
    const pauseMs = Math.min(probe.intervalMs, STARTING_CHECK_MS, deadline - Date.now());
    if (pauseMs > 0 && (await slots.wait(slot, isGone, pauseMs)) !== 'timeout')
      return { outcome: 'exited', reason };
  }
}

/** The probe's check sent to the worker's probe door on the loopback instead of the shared port. */
function atDoor(probe: ProbeSpec, door: number): ProbeSpec {
  if (probe.kind === 'tcp') return { ...probe, host: '127.0.0.1', port: door };
  if (probe.kind !== 'http') return probe;
  const url = new URL(probe.url);
  url.hostname = '127.0.0.1';
  url.port = String(door);
  return { ...probe, url: url.href };
}
