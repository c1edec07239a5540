import type { ProcessStatus } from '@velos/core';

/** What the memory check reads of a process. */
export interface MemoryCheckTarget {
  status: ProcessStatus;
  isUserOp: boolean;
  /** RSS of the process tree at the last sample, in bytes. */
  memory: number;
  app: { spec: { maxMemoryBytes?: number } };
}

/**
 * True when a running process's tree RSS is over its `max_memory` (SUP-9): an online one, or one still
 * `starting` (a `wait_ready` app before its 'ready', a cluster worker booting), which has a pid and
 * can balloon before it says ready (one without a pid yet samples 0). A process that a user operation
 * is already stopping or restarting is left alone.
 */
export function isOverMemoryLimit(target: MemoryCheckTarget): boolean {
  const limit = target.app.spec.maxMemoryBytes;
  const isRunning = target.status === 'online' || target.status === 'starting';
  return limit !== undefined && isRunning && !target.isUserOp && target.memory > limit;
}
