import { pathToFileURL } from 'node:url';
import { APP_DEFAULTS, instanceEnv } from '@velos/core';
import type { ForkChannel } from '../fork-ipc.js';
import type { PrimaryEntry } from '../orphans/primary-registry.js';
import { isPidAlive, readProcStat } from '../proc-scan.js';
import { isActive, type ProcessRecord, type ProcessRun } from '../process-record.js';
import { type ExitCause, nextSpawnSeq, type RunnerHooks } from '../process-runner.js';
import { setStatus } from '../process-status.js';
import { stopTree } from '../tree-stop.js';
import type { FromPrimary, ToPrimary, WorkerState } from './cluster-messages.js';
import { ClusterPrimary } from './cluster-primary.js';
import { clusterCommand } from './exec-mode.js';
import type { PrimaryLink, PrimaryNode } from './primary-link.js';
import { PROBE_HOLD_ENV, PROBE_PORT_ENV } from './worker-probe-door.js';
import {
  type CandidateFailure,
  drainWorker,
  type ProbeDoor,
  type ReloadHost,
  retireWorker,
  startCandidate,
  stopWorker,
} from './worker-reload.js';
import { type LiveSlot, rootTicks, type WorkerSlot, WorkerSlots } from './worker-slots.js';
import { openWorkerStdio, reopenWorkerStdio } from './worker-stdio.js';

export type { CandidateFailure } from './worker-reload.js';
export type { WorkerSlot } from './worker-slots.js';

/** How often a primary with no worker checks whether its app still wants it. */
const RETIRE_CHECK_MS = 500;

/** True once a spawned worker exited or is past `starting`: online with its pid, or no longer its process's run. */
function isStartedOrGone(slot: WorkerSlot): boolean {
  const record = slot.record;
  return slot.hasExited || (slot.pid !== null && (record.run !== slot.run || record.status !== 'starting'));
}

/**
 * The daemon's side of one cluster app: spawns its primary on demand (or takes over the one a daemon
 * that died left running, SUP-13), forks workers through it, turns the primary's reports into runs of
 * the app's processes, and lets the primary go once no process of the app is active.
 */
export class ClusterHost {
  readonly #primary: ClusterPrimary;
  #nextKey = 1;
  #retireTimer: NodeJS.Timeout | null = null;
  readonly #slots = new WorkerSlots();
  readonly #pending = new Map<ProcessRecord, number>();
  readonly #records = new Set<ProcessRecord>();
  readonly #reload: ReloadHost;
  /** A primary taken over from a velos before probe doors, which does not relay them: reload probes run as written. */
  #linkWithoutDoor: PrimaryLink | null = null;
  /** A primary taken over from a velos before admissions, which does not relay them: a reload's new worker is not held. */
  #linkWithoutAdmit: PrimaryLink | null = null;
  /** The workers' preload: this daemon's primary script (a taken-over primary's own may be gone after an update). */
  readonly #preload: string;

  constructor(
    readonly name: string,
    primaryPath: string,
    private readonly runDir: string,
    private readonly hooks: RunnerHooks,
  ) {
    this.#primary = new ClusterPrimary(name, primaryPath, runDir, hooks.home, {
      onMessage: (message) => this.#onMessage(message),
      onExit: (link, code, signal) => this.#onPrimaryExit(link, code, signal),
      log: hooks.log,
    });
    this.#preload = pathToFileURL(primaryPath).href;
    this.#reload = {
      slots: this.#slots,
      fork: (record, purpose, door) => this.#fork(record, purpose, door),
      send: (message) => this.#send(message),
      log: hooks.log,
      hasProbeDoor: () => this.#primary.link !== this.#linkWithoutDoor,
      canAdmit: () => this.#primary.link !== this.#linkWithoutAdmit,
    };
  }

  /** Starts a run of a process as a cluster worker; it is `online` once the primary reports its pid. */
  spawn(record: ProcessRecord): void {
    setStatus(record, 'starting');
    record.restartAt = null;
    const slot = this.#fork(record, 'spawn');
    if (slot) this.#pending.set(record, slot.key);
    else this.#failSpawn(record);
  }

  /**
   * Takes over the primary of `entry`, left running by a daemon that died (SUP-13): each live worker
   * the primary holds as the run of a process among `records` (same id, no run yet) becomes that
   * process's run again, with its pid, start time and FIFOs; any other worker (a reload's candidate,
   * an old worker draining, a process no longer in the table) is stopped. Null when the primary does
   * not answer; else the records whose run was taken over.
   */
  async takeOver(entry: PrimaryEntry, records: ProcessRecord[]): Promise<ProcessRecord[] | null> {
    if (this.#primary.link) return null;
    const adopted: ProcessRecord[] = [];
    const strays: WorkerState[] = [];
    const onState = (workers: WorkerState[], node: PrimaryNode): void => {
      this.#noteOtherNode(entry.pid, node);
      if (!node.hasProbeDoor) this.#linkWithoutDoor = this.#primary.link;
      if (!node.hasAdmit) this.#linkWithoutAdmit = this.#primary.link;
      for (const worker of workers) {
        this.#nextKey = Math.max(this.#nextKey, worker.key + 1);
        const record = records.find((r) => r.id === worker.id && r.app.spec.name === this.name);
        if (!record || record.run || !worker.isCurrent || !isPidAlive(worker.pid)) strays.push(worker);
        else {
          this.#adoptWorker(record, worker);
          adopted.push(record);
        }
      }
      for (const record of records) if (isActive(record.status)) this.#records.add(record);
    };
    if (!(await this.#primary.adopt(entry, onState))) return null;
    await Promise.all(
      strays.map((worker) => {
        const spec = records.find((r) => r.id === worker.id)?.app.spec ?? APP_DEFAULTS;
        this.hooks.log(
          `cluster primary of ${this.name} (pid ${entry.pid}): stopping worker ${worker.pid} (process ${worker.id}), not the run of its process`,
        );
        return stopTree(worker.pid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
      }),
    );
    this.#scheduleRetireCheck(RETIRE_CHECK_MS);
    return adopted;
  }

  /** The primary's pid while one runs. */
  primaryPid(): number | null {
    return this.#primary.link?.pid ?? null;
  }

  /**
   * What a start, scale-up or restart waits for before it answers: the worker being spawned for
   * `record` (or its run's) is online with its pid, as a fork app's run is once spawned; with
   * `wait_ready`, until it said 'ready' (issue #14), as a fork app's run channel does. Within
   * `listen_timeout` either way: a worker the primary never reports must not hold the command. At once
   * when it exited, failed to fork, or there is no such worker.
   */
  async whenStarted(record: ProcessRecord): Promise<void> {
    const spec = record.app.spec;
    const key = this.#pending.get(record);
    const slot =
      key === undefined ? (record.run ? this.#slots.findByRun(record.run) : undefined) : this.#slots.get(key);
    if (!slot) return;
    const isAnswered = spec.waitReady ? (s: WorkerSlot) => s.hasExited || s.isReady : isStartedOrGone;
    await this.#slots.wait(slot, isAnswered, spec.listenTimeoutMs);
  }

  /** Forks a reload's new worker for `record`; see `startCandidate` in worker-reload.ts. */
  startCandidate(record: ProcessRecord): Promise<WorkerSlot | CandidateFailure> {
    return startCandidate(this.#reload, record);
  }

  /** True when `run` is a worker of this host. */
  owns(run: ProcessRun): boolean {
    return this.#slots.findByRun(run) !== undefined;
  }

  /** Makes a ready candidate the run of its process; returns the run it replaces. */
  adopt(slot: WorkerSlot): ProcessRun | null {
    const record = slot.record;
    const previous = record.run;
    record.run = slot.run;
    record.pid = slot.pid;
    record.startedAt = Date.now();
    record.lastStartedAt = record.startedAt;
    record.lastStartReason = record.lastExitReason;
    setStatus(record, 'online');
    record.spawnSeq = nextSpawnSeq();
    this.#send({ t: 'current', key: slot.key });
    this.hooks.onOnline(record);
    return previous;
  }

  /** Retires the worker of a replaced run; see `retireWorker` in worker-reload.ts. */
  retire(run: ProcessRun, record: ProcessRecord): Promise<void> {
    return retireWorker(this.#reload, run, record);
  }

  /** Disconnects the worker of a run before it is stopped; see `drainWorker` in worker-reload.ts. */
  drain(run: ProcessRun, record: ProcessRecord): Promise<void> {
    return drainWorker(this.#reload, run, record);
  }

  /** Stops a worker that is no process's run (a failed or unwanted candidate) and waits for its exit. */
  stopSlot(slot: WorkerSlot): Promise<void> {
    return stopWorker(this.#slots, slot);
  }

  /** True while the primary runs. */
  isRunning(): boolean {
    return this.#primary.link !== null;
  }

  /** Lets the primary go (it stops any worker left, SIGKILL after `kill_timeout`) and waits for it to exit. */
  close(): Promise<void> {
    return this.#primary.close(this.#killTimeoutMs());
  }

  /** The longest `kill_timeout` of the app's processes: how long a worker has to exit once the primary stops it. */
  #killTimeoutMs(): number {
    const timeouts = [...this.#records].map((record) => record.app.spec.killTimeoutMs);
    return timeouts.length === 0 ? APP_DEFAULTS.killTimeoutMs : Math.max(...timeouts);
  }

  #fork(record: ProcessRecord, purpose: WorkerSlot['purpose'], door?: ProbeDoor): LiveSlot | null {
    const spec = record.app.spec;
    const command = clusterCommand(spec);
    const link = this.#primary.ensure();
    if (!command || !link) return null;
    this.#records.add(record);
    const key = this.#nextKey++;
    const slot = this.#slots.add(key, record, purpose, this.#slots.freeLane(record.id));
    const env = this.#primary.withHome(instanceEnv(spec, record));
    if (door) env[PROBE_PORT_ENV] = String(door.port);
    if (door?.isHeld) env[PROBE_HOLD_ENV] = [door.port, ...door.heldPorts].join(',');
    openWorkerStdio(this.runDir, record.id, slot.lane, this.hooks.log).then((stdio) => {
      if (this.#slots.get(key) !== slot || this.#primary.link !== link) {
        // stopped, or the primary died, while the FIFOs were made
        stdio.cancel();
        return;
      }
      slot.stdio = stdio;
      this.#send({
        t: 'fork',
        key,
        id: record.id,
        instance: record.instance,
        ...command,
        cwd: spec.cwd,
        env,
        out: stdio.out,
        err: stdio.err,
        lane: slot.lane,
        execPath: process.execPath,
        preload: this.#preload,
      });
    });
    return slot;
  }

  #send(message: ToPrimary): void {
    this.#primary.send(message);
  }

  #onMessage(message: FromPrimary): void {
    if (message.t === 'state') return;
    const slot = this.#slots.get(message.key);
    if (!slot) return;
    switch (message.t) {
      case 'online':
        this.#onOnline(slot, message.pid, message.hasBootReport === true);
        break;
      case 'booted':
        this.#onBooted(slot);
        break;
      case 'listening': {
        slot.isListening = true;
        const port = /:(\d+)$/.exec(message.address)?.[1];
        if (port !== undefined) slot.ports.add(Number(port));
        break;
      }
      case 'ready':
        slot.isReady = true;
        break;
      case 'probe-door':
        slot.probeDoor = message.port;
        break;
      case 'probe-door-failed':
        slot.probeDoorFailure = message.reason;
        this.hooks.log(
          `process ${slot.record.id} (${this.name}): the new worker (pid ${message.pid}) could not open its probe door (${message.reason}): it listens on the shared port at once, where its probe runs (any worker may answer it)`,
        );
        break;
      case 'event':
        this.hooks.onAppMessage?.(slot.record, message.event);
        return;
      case 'disconnected':
        slot.isDisconnected = true;
        break;
      case 'exit':
        this.#onWorkerExit(slot, message.code, message.signal);
        break;
      case 'error':
        slot.failure = message.message;
        this.#onForkFailed(slot, message.message);
        break;
    }
    this.#slots.notify(slot);
  }

  /** Gives a slot its run (with the worker's start time), with PM2's 'shutdown' path when its app asks for it. */
  #makeRun(slot: LiveSlot, pid: number, isAdopted = false): ProcessRun {
    const channel = slot.record.app.spec.shutdownWithMessage ? this.#shutdownChannel(slot) : null;
    return this.#slots.makeRun(slot, pid, channel, readProcStat(pid)?.startTicks, isAdopted);
  }

  /**
   * The worker is forked: it is its process's run from now on (a stop stops it), but `online` (and the
   * start of its uptime, which min_uptime judges) waits for its Node to be up when the primary reports
   * that (`booted`): on a loaded machine a worker's boot alone can outlast min_uptime, and a worker
   * that crashes at once would then pass for a stable run and never be `errored`.
   */
  #onOnline(slot: LiveSlot, pid: number, hasBootReport: boolean): void {
    const record = slot.record;
    this.#makeRun(slot, pid);
    slot.stdio?.attach(record, pid);
    slot.stdio?.release();
    if (slot.purpose !== 'spawn') return;
    if (this.#pending.get(record) !== slot.key || record.status !== 'starting') {
      // stopped, deleted or spawned again while this fork was on its way: it is nobody's run
      this.stopSlot(slot).catch(() => undefined);
      return;
    }
    this.#pending.delete(record);
    record.run = slot.run;
    record.pid = pid;
    record.spawnSeq = nextSpawnSeq();
    this.#send({ t: 'current', key: slot.key });
    if (!hasBootReport) this.#markOnline(record);
    else this.hooks.onPid?.(record);
  }

  /** The worker's Node is up: its process is `online` unless it was stopped or replaced meanwhile. */
  #onBooted(slot: LiveSlot): void {
    const record = slot.record;
    if (slot.purpose !== 'spawn' || slot.run === null || record.run !== slot.run) return;
    if (record.status === 'starting') this.#markOnline(record);
  }

  #markOnline(record: ProcessRecord): void {
    record.startedAt = Date.now();
    record.lastStartedAt = record.startedAt;
    record.lastStartReason = record.lastExitReason;
    setStatus(record, 'online');
    this.hooks.onOnline(record);
  }

  /** SUP-13: a live worker of a taken-over primary becomes its process's run again. */
  #adoptWorker(record: ProcessRecord, worker: WorkerState): void {
    const slot = this.#slots.add(worker.key, record, 'spawn', worker.lane);
    slot.isListening = worker.isListening;
    for (const port of worker.ports ?? []) slot.ports.add(port);
    slot.isDisconnected = !worker.isConnected;
    const run = this.#makeRun(slot, worker.pid, true);
    reopenWorkerStdio(this.runDir, record, worker.lane, worker.pid, this.hooks.log);
    record.run = run;
    record.pid = worker.pid;
    record.startedAt = worker.startedAt;
    record.lastStartedAt = worker.startedAt;
    setStatus(record, 'online');
    record.restartAt = null;
    record.spawnSeq = nextSpawnSeq();
    this.hooks.onOnline(record);
  }

  /** Issue #19 item 10: without a primary there is no worker to wait for: the process is errored at once. */
  #failSpawn(record: ProcessRecord): void {
    setStatus(record, 'errored', 'spawn-error');
    record.lastExitReason = 'spawn-error';
    record.startedAt = null;
    const failure = this.#primary.failure ?? Promise.resolve('unknown error');
    failure.then((why) => {
      const line = `cannot start the cluster primary (${process.execPath}): ${why}`;
      this.#note(record, `velos: ${line}`);
      this.hooks.log(`process ${record.id} (${this.name}) failed to start: ${line}`);
    });
  }

  #onForkFailed(slot: LiveSlot, why: string): void {
    const record = slot.record;
    slot.stdio?.cancel();
    this.#slots.delete(slot.key);
    slot.hasExited = true;
    slot.markExited();
    if (slot.purpose === 'spawn' && this.#pending.get(record) === slot.key) {
      this.#pending.delete(record);
      setStatus(record, 'errored', 'spawn-error');
      record.lastExitReason = 'spawn-error';
      record.startedAt = null;
      this.#note(record, `velos: cannot start a cluster worker: ${why}`);
      this.hooks.log(`process ${record.id} (${this.name}) failed to start: ${why}`);
    }
    this.#scheduleRetireCheck();
  }

  #onWorkerExit(slot: LiveSlot, code: number | null, signal: string | null, cause?: ExitCause): void {
    const record = slot.record;
    slot.stdio?.release();
    this.#slots.delete(slot.key);
    slot.hasExited = true;
    if (slot.run && record.run === slot.run) {
      record.run = null;
      record.pid = null;
      this.hooks.onExit(record, code, signal, cause);
    }
    slot.markExited();
    this.#slots.notify(slot);
    this.#scheduleRetireCheck();
  }

  /**
   * The primary is gone, and with it every worker it had: the runs it ends are told with reason
   * `primary-exit` (the primary failed, not each worker), after one `process.primary_exited` event
   * for the primary unless the daemon had let it go.
   */
  async #onPrimaryExit(link: PrimaryLink, code: number | null, signal: string | null): Promise<void> {
    const left = this.#slots.values();
    const how = signal ? `signal ${signal}` : code === null ? 'an unknown status' : `code ${code}`;
    this.hooks.log(`cluster primary of ${this.name} (pid ${link.pid}) exited with ${how}`);
    const ended = left.filter(
      (slot) =>
        (slot.run !== null && slot.record.run === slot.run) ||
        (slot.pid === null && this.#pending.get(slot.record) === slot.key),
    ).length;
    if (!link.isLetGo()) {
      const workers = ended === 1 ? '1 instance' : `${ended} instances`;
      this.hooks.publish?.({
        kind: 'process.primary_exited',
        severity: 'warning',
        app: this.name,
        message: `cluster primary of ${this.name} (pid ${link.pid}) exited with ${how}: ${workers} ended with it`,
        fields: { pid: link.pid, code, signal, workers: ended },
      });
    }
    await Promise.all(
      left.map(async (slot) => {
        slot.stdio?.cancel();
        if (slot.pid !== null && isPidAlive(slot.pid)) {
          const spec = slot.record.app.spec;
          await stopTree(slot.pid, {
            signal: spec.stopSignal,
            killTimeoutMs: spec.killTimeoutMs,
            ...rootTicks(slot.run),
          });
        }
        if (slot.record.run === slot.run && slot.run) {
          this.#note(slot.record, `velos: the cluster primary exited (${how}): worker pid ${slot.pid} ended`);
        }
        if (slot.pid === null && this.#pending.get(slot.record) === slot.key) {
          this.#pending.delete(slot.record);
          slot.record.startedAt = null;
          this.hooks.onExit(slot.record, null, null, 'primary-exit');
        }
        this.#onWorkerExit(slot, null, null, 'primary-exit');
      }),
    );
  }

  #scheduleRetireCheck(delayMs = 0): void {
    if (this.#retireTimer || !this.#primary.link) return;
    this.#retireTimer = setTimeout(() => {
      this.#retireTimer = null;
      this.#checkRetire();
    }, delayMs);
    this.#retireTimer.unref();
  }

  #checkRetire(): void {
    const link = this.#primary.link;
    if (!link || this.#slots.size > 0) return;
    for (const record of this.#records) if (!isActive(record.status)) this.#records.delete(record);
    if (this.#records.size > 0) {
      this.#scheduleRetireCheck(RETIRE_CHECK_MS);
      return;
    }
    this.hooks.log(`cluster primary of ${this.name} (pid ${link.pid}): no process left, stopping it`);
    link.letGo(this.#killTimeoutMs());
  }

  /**
   * PM2's `shutdown_with_message` for a worker: 'shutdown' goes through the primary to the worker's
   * IPC channel; false (the caller signals instead) once the worker has disconnected or exited.
   */
  #shutdownChannel(slot: LiveSlot): ForkChannel {
    return {
      ready: null,
      sendShutdown: () => {
        if (slot.hasExited || slot.isDisconnected || !this.#primary.link?.isAlive()) return false;
        this.#send({ t: 'shutdown-worker', key: slot.key });
        return true;
      },
    };
  }

  /**
   * After `velos update` onto another Node the primary taken over still runs the old one: its workers
   * move to this daemon's Node as they are forked again (a reload, a restart), the primary once no
   * process of the app runs. A primary of a velos before that forks its workers on its own Node.
   */
  #noteOtherNode(pid: number, node: PrimaryNode): void {
    const which = `cluster primary of ${this.name} (pid ${pid})`;
    if (node.version === undefined) {
      this.hooks.log(
        `${which} was started by an older velos: its workers are forked on its own Node until the app is stopped and started again`,
      );
    } else if (node.version !== process.version || node.execPath !== process.execPath) {
      this.hooks.log(
        `${which} runs Node ${node.version} (${node.execPath}), this daemon ${process.version} (${process.execPath}): workers forked from now on (reload, restart) run ${process.version}; the primary keeps its Node until the app is stopped and started again`,
      );
    }
  }

  #note(record: ProcessRecord, line: string): void {
    try {
      record.pipeline.note('err', line);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
  }
}
