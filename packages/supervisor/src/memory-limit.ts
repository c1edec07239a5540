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
 * True when an online process's tree RSS is over its `max_memory` (SUP-9); a process that a user
 * operation is already stopping or restarting is left alone.
 */
export function isOverMemoryLimit(target: MemoryCheckTarget): boolean {
  const limit = target.app.spec.maxMemoryBytes;
  return limit !== undefined && target.status === 'online' && !target.isUserOp && target.memory > limit;
}
