import type { AppSpec, ProbeSpec } from '@velos/core';
import type { ProcessRecord, ProcessRun } from '../process-record.js';
import { stopTree } from '../tree-stop.js';
import type { ToPrimary } from './cluster-messages.js';
import { type LiveSlot, rootTicks, type WorkerSlot, type WorkerSlots } from './worker-slots.js';

/** Why a reload's new worker was not adopted; `TIMEOUT` when it ran but was not ready in time. */
export interface CandidateFailure {
  reason: string;
  code?: 'TIMEOUT';
}

/** How a reload's new worker is probed: at its door for `port`, and, held, off the shared `heldPorts` until admitted. */
export interface ProbeDoor {
  port: number;
  isHeld: boolean;
  /** The ports held (`port` among them): every port the old worker listens on. */
  heldPorts: readonly number[];
}

/** How long a held worker has at least to listen on the shared port once admitted (an IPC round trip). */
const ADMIT_TIMEOUT_MS = 1000;

/** What a reload needs of its cluster host. */
export interface ReloadHost {
  readonly slots: WorkerSlots;
  /**
   * Forks a worker for `record` through the primary (with `door`, one that opens its probe door for the
   * server on that port, held off the port until admitted when asked); null when there is no primary.
   */
  fork(record: ProcessRecord, purpose: WorkerSlot['purpose'], door?: ProbeDoor): LiveSlot | null;
  send(message: ToPrimary): void;
  log(line: string): void;
  /** False when the primary (one taken over from an older velos) does not relay probe doors. */
  hasProbeDoor(): boolean;
  /** False when the primary (one taken over from an older velos) does not relay `admit`: no worker is held. */
  canAdmit(): boolean;
}

/**
 * Forks a reload's new worker for `record` and waits until it is ready: with a readiness probe (or a
 * liveness probe alone, as a fork-mode reload), once the probe passes on that worker (after its 'ready'
 * with `wait_ready`), within `listen_timeout`, else it is stopped and the reload fails with TIMEOUT;
 * without a probe, once it listens (or says ready with `wait_ready`), and past `listen_timeout` it is
 * taken as ready, as PM2 takes it. One that exits first is stopped.
 */
export async function startCandidate(
  host: ReloadHost,
  record: ProcessRecord,
): Promise<WorkerSlot | CandidateFailure> {
  const spec = record.app.spec;
  const gate = gateProbe(spec);
  // the probe's code loads with the first reload of an app that has one
  const prober = gate ? await import('./candidate-probe.js') : null;
  const probedPort = gate && prober ? prober.probedPort(gate.probe, spec, record.instance) : null;
  // the new worker is probed at its own door when the probe checks a port the workers serve (the old
  // one listens there); a probe of anything else (a database's port, an exec command) runs as written,
  // once the new worker listens (held, when it is)
  const old = record.run ? host.slots.findByRun(record.run) : undefined;
  const doorPort =
    probedPort !== null && old?.ports.has(probedPort) && host.hasProbeDoor() ? probedPort : null;
  const door = candidateDoor(host, gate !== undefined, doorPort, old?.ports);
  const slot = host.fork(record, 'candidate', door);
  if (!slot) return { reason: 'the cluster primary could not be started' };
  if (!gate || doorPort === null || spec.waitReady) {
    const signal = spec.waitReady ? "ready (process.send('ready'))" : 'listening';
    // a held worker's server is listening to the app once its door is open
    const isUp = (s: WorkerSlot) => (spec.waitReady ? s.isReady : s.isListening || s.probeDoor !== null);
    const outcome = await host.slots.wait(
      slot,
      (s) => (s.hasExited ? 'exited' : isUp(s) ? 'ready' : null),
      spec.listenTimeoutMs,
    );
    if (outcome === 'timeout' && slot.run !== null && !slot.hasExited) {
      // a worker that never listens (a queue consumer) can still be reloaded, as PM2 reloads it
      host.log(
        `process ${record.id} (${spec.name}): the new worker (pid ${slot.pid}) was not ${signal} within listen_timeout ${spec.listenTimeoutMs} ms: taken as ready`,
      );
    } else if (outcome !== 'ready') {
      await stopWorker(host.slots, slot);
      if (slot.failure) return { reason: `the new worker could not start: ${slot.failure}` };
      if (outcome === 'exited')
        return { reason: `the new worker (pid ${slot.pid}) exited before it was ${signal}` };
      return { reason: `the new worker was not forked within listen_timeout ${spec.listenTimeoutMs} ms` };
    }
  }
  if (!gate || !prober) return slot;
  const deadline = Date.now() + spec.listenTimeoutMs;
  const probed = await prober.probeCandidate(host.slots, slot, gate.probe, record, doorPort, deadline);
  if (probed.outcome === 'ready') {
    if (!door?.isHeld) return slot;
    if (slot.probeDoor === null) {
      // never held (it listens on another port, or on none): a later listen() on the port is not held
      host.send({ t: 'admit', key: slot.key });
      return slot;
    }
    const joined = await admitWorker(host, slot, door.heldPorts, deadline);
    if (joined === null) return slot;
    await stopWorker(host.slots, slot);
    return { reason: `the new worker (pid ${slot.pid}) ${joined}` };
  }
  await stopWorker(host.slots, slot);
  const delay = gate.probe.initialDelayMs > 0 ? `: its initial_delay is ${gate.probe.initialDelayMs} ms` : '';
  const why = ` (${probed.reason === null ? `no ${gate.name} probe result yet${delay}` : `${gate.name} probe: ${probed.reason}`})`;
  if (slot.failure) return { reason: `the new worker could not start: ${slot.failure}` };
  if (slot.pid === null)
    return { reason: `the new worker was not forked within listen_timeout ${spec.listenTimeoutMs} ms` };
  if (probed.outcome === 'exited')
    return { reason: `the new worker (pid ${slot.pid}) exited before it was ready${why}` };
  return {
    code: 'TIMEOUT',
    reason: `the new worker (pid ${slot.pid}) was not ready within listen_timeout ${spec.listenTimeoutMs} ms${why}`,
  };
}

/**
 * How a reload's new worker is held off the shared port until its probe passes, so that node:cluster
 * hands it no client while it warms up: on every port the old worker listens on. Its door serves
 * `doorPort` (the port the probe checks); for a probe of anything else (an exec command, another
 * program's port), the door serves no probe: it only says a held server is up. Not held without a
 * probe, nor when the old worker listens on no port, nor through a primary that cannot admit.
 */
function candidateDoor(
  host: ReloadHost,
  hasProbe: boolean,
  doorPort: number | null,
  oldPorts: ReadonlySet<number> | undefined,
): ProbeDoor | undefined {
  const ports = [...(oldPorts ?? [])].sort((a, b) => a - b);
  if (doorPort !== null) return { port: doorPort, isHeld: host.canAdmit(), heldPorts: ports };
  if (!hasProbe || ports.length === 0 || !host.hasProbeDoor() || !host.canAdmit()) return undefined;
  return { port: ports[0] as number, isHeld: true, heldPorts: ports };
}

/**
 * Lets a held worker whose probe passed listen on the shared ports (its share of new connections starts
 * then) and waits until it does on one of `ports`, before the old worker is retired: the rest of `listen_timeout`, a second
 * at least. Null once it listens there, else what went wrong.
 */
async function admitWorker(
  host: ReloadHost,
  slot: WorkerSlot,
  ports: readonly number[],
  deadline: number,
): Promise<string | null> {
  host.send({ t: 'admit', key: slot.key });
  const timeoutMs = Math.max(deadline - Date.now(), ADMIT_TIMEOUT_MS);
  const outcome = await host.slots.wait(
    slot,
    (s) => (s.hasExited ? 'exited' : ports.some((port) => s.ports.has(port)) ? 'joined' : null),
    timeoutMs,
  );
  const where = `port ${ports.join(' or ')}`;
  if (outcome === 'joined') return null;
  if (outcome === 'exited') return `exited before it listened on ${where}, once its probe passed`;
  return `did not listen on ${where} within ${timeoutMs} ms of its probe passing`;
}

/**
 * The probe that says a reload's new worker is ready, as in a fork-mode reload: the readiness probe, or
 * the liveness probe of an app without one.
 */
function gateProbe(spec: AppSpec): { name: 'readiness' | 'liveness'; probe: ProbeSpec } | undefined {
  if (spec.readinessProbe) return { name: 'readiness', probe: spec.readinessProbe };
  if (spec.livenessProbe) return { name: 'liveness', probe: spec.livenessProbe };
  return undefined;
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
  // stopped (SIGKILLed at worst): the primary's report of its exit follows; kill_timeout at most (1 s at least)
  await slots.wait(found, (s) => s.hasExited, Math.max(spec.killTimeoutMs, 1000));
}
