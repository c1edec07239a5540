import { type ChildProcess, spawn } from 'node:child_process';
import type { Socket } from 'node:net';
import { createInterface } from 'node:readline';
import type { ForkChannel } from '../fork-ipc.js';
import { setLongTimeout } from '../long-timer.js';
import { isPidAlive } from '../proc-scan.js';
import { isActive, type ProcessRecord, type ProcessRun } from '../process-record.js';
import { nextSpawnSeq, type RunnerHooks } from '../process-runner.js';
import { setStatus } from '../process-status.js';
import { stopTree } from '../tree-stop.js';
import type { FromPrimary, ToPrimary } from './cluster-messages.js';
import { clusterCommand } from './exec-mode.js';
import { instanceEnv } from './instance-env.js';

/** One worker forked for a process: its own run, or a reload's candidate until it is adopted. */
export interface WorkerSlot {
  readonly key: number;
  readonly record: ProcessRecord;
  /** `spawn` becomes the process's run once online; `candidate` waits to be adopted by a reload. */
  readonly purpose: 'spawn' | 'candidate';
  pid: number | null;
  run: ProcessRun | null;
  isListening: boolean;
  isReady: boolean;
  isDisconnected: boolean;
  hasExited: boolean;
  /** Why the fork failed, when it did (the primary could not spawn it). */
  failure: string | null;
}

/** Why a reload's new worker was not adopted. */
export interface CandidateFailure {
  isTimeout: boolean;
  reason: string;
}

/** A slot with what the host keeps to itself: its exit hook and the waiters on its changes. */
interface LiveSlot extends WorkerSlot {
  markExited(): void;
  changed: Set<() => void>;
}

/** How often a primary with no worker checks whether its app still wants it. */
const RETIRE_CHECK_MS = 500;

/**
 * The daemon's side of one cluster app: spawns its primary on demand, forks workers through it,
 * turns the primary's reports into runs of the app's processes, and lets the primary go once no
 * process of the app is active.
 */
export class ClusterHost {
  #child: ChildProcess | null = null;
  /** Why the latest attempt to spawn the primary failed (it arrives with the child's 'error' event). */
  #primaryFailure: Promise<string> | null = null;
  #nextKey = 1;
  #retireTimer: NodeJS.Timeout | null = null;
  readonly #slots = new Map<number, LiveSlot>();
  readonly #pending = new Map<ProcessRecord, number>();
  readonly #records = new Set<ProcessRecord>();

  constructor(
    readonly name: string,
    private readonly primaryPath: string,
    private readonly hooks: RunnerHooks,
  ) {}

  /** Starts a run of a process as a cluster worker; it is `online` once the primary reports its pid. */
  spawn(record: ProcessRecord): void {
    setStatus(record, 'starting');
    record.restartAt = null;
    const slot = this.#fork(record, 'spawn');
    if (slot) this.#pending.set(record, slot.key);
    else this.#failSpawn(record);
  }

  /**
   * Forks a second worker for a running process (SUP-6) and waits until it listens (or, with
   * `wait_ready`, sends 'ready') within `listen_timeout`; the failure is the returned reason, and the
   * candidate is then stopped.
   */
  async startCandidate(record: ProcessRecord): Promise<WorkerSlot | CandidateFailure> {
    const spec = record.app.spec;
    const slot = this.#fork(record, 'candidate');
    if (!slot) return { isTimeout: false, reason: 'the cluster primary could not be started' };
    const signal = spec.waitReady ? "ready (process.send('ready'))" : 'listening';
    const outcome = await this.#waitSlot(
      slot,
      (s) => (s.hasExited ? 'exited' : (spec.waitReady ? s.isReady : s.isListening) ? 'ready' : null),
      spec.listenTimeoutMs,
    );
    if (outcome === 'ready') return slot;
    await this.stopSlot(slot);
    if (slot.failure) return { isTimeout: false, reason: `the new worker could not start: ${slot.failure}` };
    if (outcome === 'exited')
      return { isTimeout: false, reason: `the new worker (pid ${slot.pid}) exited before it was ${signal}` };
    return {
      isTimeout: true,
      reason: `the new worker (pid ${slot.pid}) was not ${signal} within listen_timeout ${spec.listenTimeoutMs} ms`,
    };
  }

  /** True when `run` is a worker of this host. */
  owns(run: ProcessRun): boolean {
    for (const slot of this.#slots.values()) if (slot.run === run) return true;
    return false;
  }

  /** Makes a ready candidate the run of its process; returns the run it replaces. */
  adopt(slot: WorkerSlot): ProcessRun | null {
    const record = slot.record;
    const previous = record.run;
    record.run = slot.run;
    record.pid = slot.pid;
    record.startedAt = Date.now();
    setStatus(record, 'online');
    record.spawnSeq = nextSpawnSeq();
    this.hooks.onOnline(record);
    return previous;
  }

  /**
   * Retires the worker of a replaced run: disconnects it (its servers stop accepting, open requests
   * finish), then sends the stop signal once it disconnected or after `kill_timeout`, SIGKILL after that.
   * With `shutdown_with_message` it gets 'shutdown' first, and SIGKILL if it still runs `kill_timeout` later.
   */
  async retire(run: ProcessRun, record: ProcessRecord): Promise<void> {
    const slot = [...this.#slots.values()].find((s) => s.run === run);
    const spec = record.app.spec;
    if (slot && run.channel?.sendShutdown()) {
      this.#send({ t: 'retire', key: slot.key });
      await this.#waitSlot(slot, (s) => s.hasExited, spec.killTimeoutMs);
      if (run.hasExited()) return;
      this.hooks.log(
        `process ${record.id} (${spec.name}): old worker ${run.pid} did not exit within ${spec.killTimeoutMs} ms of the 'shutdown' message: SIGKILLed`,
      );
      await stopTree(run.pid, { signal: 'SIGKILL', killTimeoutMs: 0 });
      await run.exited;
      return;
    }
    if (slot) {
      this.#send({ t: 'retire', key: slot.key });
      await this.#waitSlot(slot, (s) => s.isDisconnected || s.hasExited, spec.killTimeoutMs);
    }
    if (!run.hasExited()) {
      await stopTree(run.pid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
      await run.exited;
    }
  }

  /** Stops a worker that is no process's run (a failed or unwanted candidate) and waits for its exit. */
  async stopSlot(slot: WorkerSlot): Promise<void> {
    const found = this.#slots.get(slot.key);
    if (!found || found.pid === null) return;
    const spec = slot.record.app.spec;
    await stopTree(found.pid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
    await this.#waitSlot(found, (s) => s.hasExited, 5000);
  }

  /** True while the primary runs. */
  isRunning(): boolean {
    return this.#child !== null;
  }

  /** Lets the primary go (it stops any worker left) and waits for it to exit. */
  async close(): Promise<void> {
    const child = this.#child;
    if (!child) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    this.#letGo(child);
    await exited;
  }

  #fork(record: ProcessRecord, purpose: WorkerSlot['purpose']) {
    const spec = record.app.spec;
    const command = clusterCommand(spec);
    const child = this.#ensurePrimary();
    if (!command || !child) return null;
    this.#records.add(record);
    const key = this.#nextKey++;
    const slot: LiveSlot = {
      key,
      record,
      purpose,
      pid: null,
      run: null,
      isListening: false,
      isReady: false,
      isDisconnected: false,
      hasExited: false,
      failure: null,
      markExited: () => undefined,
      changed: new Set(),
    };
    this.#slots.set(key, slot);
    this.#send({
      t: 'fork',
      key,
      instance: record.instance,
      ...command,
      cwd: spec.cwd,
      env: this.#withHome(instanceEnv(spec, record)),
    });
    return slot;
  }

  #ensurePrimary(): ChildProcess | null {
    if (this.#child) return this.#child;
    const child = spawn(process.execPath, [this.primaryPath, this.name], {
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
      // VELOS_HOME + a VELOS_ID that names no process: a daemon started after this one died finds it.
      env: this.#withHome({ PATH: process.env.PATH ?? '', VELOS_ID: 'cluster-primary' }),
    });
    if (child.pid === undefined) {
      this.#primaryFailure = new Promise((resolve) => {
        child.once('error', (error: NodeJS.ErrnoException) => {
          this.hooks.log(`cluster primary of ${this.name}: ${error.message}`);
          const why =
            error.code === 'ENOENT'
              ? 'not found'
              : error.code === 'EACCES'
                ? 'permission denied'
                : error.message;
          resolve(`${why} (${error.code ?? 'error'})`);
        });
      });
      return null;
    }
    const pid = child.pid;
    this.#child = child;
    for (const stream of [child.stdout!, child.stderr!]) {
      createInterface({ input: stream }).on('line', (line) =>
        this.hooks.log(`cluster primary of ${this.name} (pid ${pid}): ${line}`),
      );
    }
    child.on('message', (message: FromPrimary, handle: unknown) => this.#onMessage(message, handle));
    child.on('error', (error) =>
      this.hooks.log(`cluster primary of ${this.name} (pid ${pid}): ${error.message}`),
    );
    child.once('exit', (code, signal) => this.#onPrimaryExit(child, code, signal));
    this.hooks.log(`cluster primary of ${this.name} started (pid ${pid})`);
    return child;
  }

  #send(message: ToPrimary): void {
    const child = this.#child;
    if (!child?.connected) return;
    child.send(message, (error: Error | null) => {
      if (error)
        this.hooks.log(`cluster primary of ${this.name}: ${message.t} not delivered: ${error.message}`);
    });
  }

  #onMessage(message: FromPrimary, handle: unknown): void {
    const slot = this.#slots.get(message.key);
    if (!slot) {
      if (handle) (handle as Socket).destroy();
      return;
    }
    switch (message.t) {
      case 'online':
        this.#onOnline(slot, message.pid);
        break;
      case 'stdio':
        this.#attach(slot, message.stream, message.pid, handle as Socket | undefined);
        break;
      case 'listening':
        slot.isListening = true;
        break;
      case 'ready':
        slot.isReady = true;
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
    this.#notify(slot);
  }

  #notify(slot: LiveSlot): void {
    for (const listener of [...slot.changed]) listener();
  }

  #onOnline(slot: LiveSlot, pid: number): void {
    const record = slot.record;
    let hasExited = false;
    const exited = new Promise<void>((resolve) => {
      slot.markExited = () => {
        hasExited = true;
        resolve();
      };
    });
    slot.pid = pid;
    const channel = record.app.spec.shutdownWithMessage ? this.#shutdownChannel(slot) : null;
    slot.run = { pid, exited, hasExited: () => hasExited, ...(channel ? { channel } : {}) };
    if (slot.purpose !== 'spawn') return;
    if (this.#pending.get(record) !== slot.key || record.status !== 'starting') {
      // stopped, deleted or spawned again while this fork was on its way: it is nobody's run
      this.stopSlot(slot).catch(() => undefined);
      return;
    }
    this.#pending.delete(record);
    record.run = slot.run;
    record.pid = pid;
    record.startedAt = Date.now();
    setStatus(record, 'online');
    record.spawnSeq = nextSpawnSeq();
    this.hooks.onOnline(record);
  }

  #attach(slot: WorkerSlot, stream: 'out' | 'err', pid: number, handle: Socket | undefined): void {
    if (!handle) return;
    try {
      slot.record.pipeline.attach(handle, stream, pid);
    } catch {
      // the process was deleted and its pipeline closed: nothing reads this worker's output
      handle.destroy();
    }
  }

  /** Issue #19 item 10: without a primary there is no worker to wait for: the process is errored at once. */
  #failSpawn(record: ProcessRecord): void {
    setStatus(record, 'errored', 'spawn-error');
    record.lastExitReason = 'spawn-error';
    record.startedAt = null;
    const failure = this.#primaryFailure ?? Promise.resolve('unknown error');
    failure.then((why) => {
      const line = `cannot start the cluster primary (${process.execPath}): ${why}`;
      this.#note(record, `velos: ${line}`);
      this.hooks.log(`process ${record.id} (${this.name}) failed to start: ${line}`);
    });
  }

  #onForkFailed(slot: LiveSlot, why: string): void {
    const record = slot.record;
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

  #onWorkerExit(slot: LiveSlot, code: number | null, signal: string | null): void {
    const record = slot.record;
    this.#slots.delete(slot.key);
    slot.hasExited = true;
    if (slot.run && record.run === slot.run) {
      record.run = null;
      record.pid = null;
      this.hooks.onExit(record, code, signal);
    }
    slot.markExited();
    this.#notify(slot);
    this.#scheduleRetireCheck();
  }

  async #onPrimaryExit(child: ChildProcess, code: number | null, signal: string | null): Promise<void> {
    if (this.#child === child) this.#child = null;
    const left = [...this.#slots.values()];
    const how = signal ? `signal ${signal}` : `code ${code}`;
    this.hooks.log(`cluster primary of ${this.name} (pid ${child.pid}) exited with ${how}`);
    await Promise.all(
      left.map(async (slot) => {
        if (slot.pid !== null && isPidAlive(slot.pid)) {
          const spec = slot.record.app.spec;
          await stopTree(slot.pid, { signal: spec.stopSignal, killTimeoutMs: spec.killTimeoutMs });
        }
        if (slot.record.run === slot.run && slot.run) {
          this.#note(slot.record, `velos: the cluster primary exited (${how}): worker pid ${slot.pid} ended`);
        }
        if (slot.pid === null && this.#pending.get(slot.record) === slot.key) {
          this.#pending.delete(slot.record);
          slot.record.startedAt = null;
          this.hooks.onExit(slot.record, null, null);
        }
        this.#onWorkerExit(slot, null, null);
      }),
    );
  }

  #scheduleRetireCheck(delayMs = 0): void {
    if (this.#retireTimer || !this.#child) return;
    this.#retireTimer = setTimeout(() => {
      this.#retireTimer = null;
      this.#checkRetire();
    }, delayMs);
    this.#retireTimer.unref();
  }

  #checkRetire(): void {
    const child = this.#child;
    if (!child || this.#slots.size > 0) return;
    for (const record of this.#records) if (!isActive(record.status)) this.#records.delete(record);
    if (this.#records.size > 0) {
      this.#scheduleRetireCheck(RETIRE_CHECK_MS);
      return;
    }
    this.hooks.log(`cluster primary of ${this.name} (pid ${child.pid}): no process left, stopping it`);
    this.#letGo(child);
  }

  /** Adds `VELOS_HOME` (SUP-13: how a later daemon finds what this one left running). */
  #withHome(env: Record<string, string>): Record<string, string> {
    return this.hooks.home === undefined ? env : { ...env, VELOS_HOME: this.hooks.home };
  }

  /** Tells the primary to stop its workers and exit (a bare disconnect would mean the daemon died). */
  #letGo(child: ChildProcess): void {
    if (!child.connected) return;
    child.send({ t: 'shutdown' } satisfies ToPrimary, () => {
      if (child.connected) child.disconnect();
    });
  }

  /**
   * PM2's `shutdown_with_message` for a worker: 'shutdown' goes through the primary to the worker's
   * IPC channel; false (the caller signals instead) once the worker has disconnected or exited.
   */
  #shutdownChannel(slot: LiveSlot): ForkChannel {
    return {
      ready: null,
      sendShutdown: () => {
        if (slot.hasExited || slot.isDisconnected || !this.#child?.connected) return false;
        this.#send({ t: 'shutdown-worker', key: slot.key });
        return true;
      },
    };
  }

  /** Waits until `check` gives a truthy value for the slot (or `'timeout'` after `timeoutMs`). */
  #waitSlot<T>(slot: WorkerSlot, check: (slot: WorkerSlot) => T, timeoutMs: number): Promise<T | 'timeout'> {
    const found = this.#slots.get(slot.key);
    const now = check(slot);
    if (now || !found) return Promise.resolve(now || 'timeout');
    return new Promise((resolve) => {
      const listener = (): void => {
        const value = check(slot);
        if (value) finish(value);
      };
      const timer = setLongTimeout(() => finish('timeout'), timeoutMs);
      const finish = (value: T | 'timeout'): void => {
        timer.clear();
        found.changed.delete(listener);
        resolve(value);
      };
      found.changed.add(listener);
    });
  }

  #note(record: ProcessRecord, line: string): void {
    try {
      record.pipeline.note('err', line);
    } catch {
      // deleted meanwhile: its pipeline is closed
    }
  }
}
