import type { ForkChannel } from '../fork-ipc.js';
import { setLongTimeout } from '../long-timer.js';
import type { ProcessRecord, ProcessRun } from '../process-record.js';
import type { WorkerStdio } from './worker-stdio.js';

/** One worker forked for a process: its own run, or a reload's candidate until it is adopted. */
export interface WorkerSlot {
  readonly key: number;
  readonly record: ProcessRecord;
  /** `spawn` becomes the process's run once online; `candidate` waits to be adopted by a reload. */
  readonly purpose: 'spawn' | 'candidate';
  /** The FIFO pair of its process that it writes into. */
  readonly lane: number;
  pid: number | null;
  run: ProcessRun | null;
  isListening: boolean;
  /** The TCP ports it listens on, as the primary reported them (none known for a worker taken over). */
  readonly ports: Set<number>;
  isReady: boolean;
  /** The loopback port only this worker serves, for a reload's probe of it (`worker-probe-door.ts`). */
  probeDoor: number | null;
  /** Why its probe door could not open, when it could not: it is probed on the shared port then. */
  probeDoorFailure: string | null;
  isDisconnected: boolean;
  hasExited: boolean;
  /** Why the fork failed, when it did (the primary could not spawn it). */
  failure: string | null;
}

/** A slot with what its host keeps to itself: its exit hook, its FIFOs and the waiters on its changes. */
export interface LiveSlot extends WorkerSlot {
  stdio: WorkerStdio | null;
  markExited(): void;
  changed: Set<() => void>;
}

/** The workers of one cluster host by key, and the waits on their changes. */
export class WorkerSlots {
  readonly #slots = new Map<number, LiveSlot>();

  get size(): number {
    return this.#slots.size;
  }

  get(key: number): LiveSlot | undefined {
    return this.#slots.get(key);
  }

  delete(key: number): void {
    this.#slots.delete(key);
  }

  values(): LiveSlot[] {
    return [...this.#slots.values()];
  }

  /** Adds the slot of a worker about to be forked (or taken over). */
  add(key: number, record: ProcessRecord, purpose: WorkerSlot['purpose'], lane: number): LiveSlot {
    const slot: LiveSlot = {
      key,
      record,
      purpose,
      lane,
      pid: null,
      run: null,
      isListening: false,
      ports: new Set(),
      isReady: false,
      probeDoor: null,
      probeDoorFailure: null,
      isDisconnected: false,
      hasExited: false,
      failure: null,
      stdio: null,
      markExited: () => undefined,
      changed: new Set(),
    };
    this.#slots.set(key, slot);
    return slot;
  }

  /** The lowest FIFO lane of a process that none of its live workers writes into. */
  freeLane(id: number): number {
    const used = new Set(
      this.values()
        .filter((slot) => slot.record.id === id)
        .map((slot) => slot.lane),
    );
    let lane = 0;
    while (used.has(lane)) lane += 1;
    return lane;
  }

  /** The slot whose run is `run`. */
  findByRun(run: ProcessRun): LiveSlot | undefined {
    return this.values().find((slot) => slot.run === run);
  }

  /**
   * Gives a slot its run (not yet its process's): exited once `markExited` is called. `startTicks` is the
   * worker's start time when known: the primary, not the daemon, reaps it, so its pid may name another
   * process before the daemon hears of the exit, and a stop then leaves that process alone.
   */
  makeRun(
    slot: LiveSlot,
    pid: number,
    channel: ForkChannel | null,
    startTicks: number | undefined,
    isAdopted = false,
  ): ProcessRun {
    let hasExited = false;
    const exited = new Promise<void>((resolve) => {
      slot.markExited = () => {
        hasExited = true;
        resolve();
      };
    });
    slot.pid = pid;
    slot.run = {
      pid,
      exited,
      hasExited: () => hasExited,
      ...(channel ? { channel } : {}),
      ...(startTicks === undefined ? {} : { startTicks }),
      ...(isAdopted ? { isAdopted: true } : {}),
    };
    return slot.run;
  }

  /** Tells the waiters of a slot that it changed. */
  notify(slot: LiveSlot): void {
    for (const listener of [...slot.changed]) listener();
  }

  /** Waits until `check` gives a truthy value for the slot (or `'timeout'` after `timeoutMs`). */
  wait<T>(slot: WorkerSlot, check: (slot: WorkerSlot) => T, timeoutMs: number): Promise<T | 'timeout'> {
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
}

/** `stopTree`'s `rootStartTicks` for the worker of `run`, when its start time is known. */
export function rootTicks(run: ProcessRun | null | undefined): { rootStartTicks?: number } {
  return run?.startTicks === undefined ? {} : { rootStartTicks: run.startTicks };
}
