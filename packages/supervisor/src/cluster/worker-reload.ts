import type { ProcessRecord, ProcessRun } from '../process-record.js';
import { stopTree } from '../tree-stop.js';
import type { ToPrimary } from './cluster-messages.js';
import { type LiveSlot, rootTicks, type WorkerSlot, type WorkerSlots } from './worker-slots.js';

/** Why a reload's new worker was not adopted. */
export interface CandidateFailure {
  reason: string;
}

/** What a reload needs of its cluster host. */
export interface ReloadHost {
  readonly slots: WorkerSlots;
  /** Forks a worker for `record` through the primary; null when there is no primary. */
  fork(record: ProcessRecord, purpose: WorkerSlot['purpose']): LiveSlot | null;
  send(message: ToPrimary): void;
  log(line: string): void;
}

/**
 * Forks a reload's new worker for `record` and waits until it listens (or says ready with
 * `wait_ready`); past `listen_timeout` it is taken as ready, as PM2 takes it. One that exits first is stopped.
 */
export async function startCandidate(
  host: ReloadHost,
  record: ProcessRecord,
): Promise<WorkerSlot | CandidateFailure> {
  const spec = record.app.spec;
  const slot = host.fork(record, 'candidate');
  if (!slot) return { reason: 'the cluster primary could not be started' };
  const signal = spec.waitReady ? "ready (process.send('ready'))" : 'listening';
  const outcome = await host.slots.wait(
    slot,
    (s) => (s.hasExited ? 'exited' : (spec.waitReady ? s.isReady : s.isListening) ? 'ready' : null),
    spec.listenTimeoutMs,
  );
  if (outcome === 'ready') return slot;
  if (outcome === 'timeout' && slot.run !== null && !slot.hasExited) {
    // a worker that never listens (a queue consumer) can still be reloaded, as PM2 reloads it
    host.log(
      `process ${record.id} (${spec.name}): the new worker (pid ${slot.pid}) was not ${signal} within listen_timeout ${spec.listenTimeoutMs} ms: taken as ready`,
    );
    return slot;
  }
  await stopWorker(host.slots, slot);
  if (slot.failure) return { reason: `the new worker could not start: ${slot.failure}` };
  if (outcome === 'exited')
    return { reason: `the new worker (pid ${slot.pid}) exited before it was ${signal}` };
  return { reason: `the new worker was not forked within listen_timeout ${spec.listenTimeoutMs} ms` };
}

/**
 * Retires the worker of a replaced run: disconnects it (its servers stop accepting, open requests
 * finish), then sends the stop signal once it disconnected or after `kill_timeout`, SIGKILL after that.
 * With `shutdown_with_message` it gets 'shutdown' first, and SIGKILL if it still runs `kill_timeout` later.
 */
export async function retireWorker(host: ReloadHost, run: ProcessRun, record: ProcessRecord): Promise<void> {
  const slot = host.slots.findByRun(run);
  const spec = record.app.spec;
  if (slot && run.channel?.sendShutdown()) {
    host.send({ t: 'retire', key: slot.key });
    await host.slots.wait(slot, (s) => s.hasExited, spec.killTimeoutMs);
    if (run.hasExited()) return;
    host.log(
      `process ${record.id} (${spec.name}): old worker ${run.pid} did not exit within ${spec.killTimeoutMs} ms of the 'shutdown' message: SIGKILLed`,
    );
    await stopTree(run.pid, { signal: 'SIGKILL', killTimeoutMs: 0, ...rootTicks(run) });
    await run.exited;
    return;
  }
  if (slot) await drainSlot(host, slot, spec.killTimeoutMs);
  if (!run.hasExited()) {
    await stopTree(run.pid, {
      signal: spec.stopSignal,
      killTimeoutMs: spec.killTimeoutMs,
      ...rootTicks(run),
    });
    await run.exited;
  }
}

/**
 * Disconnects the worker of `run` from the ports it shares (new connections go to the other workers) and
 * waits until its open requests are done (it disconnected) or it exited, `kill_timeout` at most; the
 * caller then stops it. Nothing for a run that is no worker of this host, nor with `shutdown_with_message`:
 * the stop's 'shutdown' message needs the IPC channel a disconnect closes, and the app closes its own server.
 */
export async function drainWorker(host: ReloadHost, run: ProcessRun, record: ProcessRecord): Promise<void> {
  const slot = host.slots.findByRun(run);
  if (slot && !record.app.spec.shutdownWithMessage)
    await drainSlot(host, slot, record.app.spec.killTimeoutMs);
}

async function drainSlot(host: ReloadHost, slot: WorkerSlot, timeoutMs: number): Promise<void> {
  host.send({ t: 'retire', key: slot.key });
  await host.slots.wait(slot, (s) => s.isDisconnected || s.hasExited, timeoutMs);
}

/** Stops a worker that is no process's run (a failed or unwanted candidate) and waits for its exit. */
export async function stopWorker(slots: WorkerSlots, slot: WorkerSlot): Promise<void> {
  const found = slots.get(slot.key);
  if (!found || found.pid === null) return;
  const spec = slot.record.app.spec;
  await stopTree(found.pid, {
    signal: spec.stopSignal,
    killTimeoutMs: spec.killTimeoutMs,
    ...rootTicks(found.run),
  });
  await slots.wait(found, (s) => s.hasExited, 5000);
}
