import { type ComponentHealth, type ComponentStatus, formatBytes } from '@velos/core';
import type { IpcStats } from '../ipc-server.js';
import type { StateWriteStats } from '../live-state.js';

/** Event-loop lag (max over the sampler's window) above which the daemon is degraded / unhealthy. */
export const LOOP_LAG_DEGRADED_MS = 200;
export const LOOP_LAG_UNHEALTHY_MS = 1000;
/** Share of the IPC connection cap in use from which IPC is degraded (at the cap, or after refusals: unhealthy). */
export const IPC_BUSY_RATIO = 0.8;
/** A monitor sample older than this many intervals makes the monitor degraded (10: unhealthy). */
export const MONITOR_LATE_INTERVALS = 3;
export const MONITOR_STUCK_INTERVALS = 10;
/** A state write slower than this is degraded. */
export const STATE_SLOW_WRITE_MS = 1000;
/** A job run due for longer than this without starting counts as missed. */
export const SCHEDULER_LATE_MS = 60_000;

/** Free-space thresholds of the disk holding `$VELOS_HOME`, in bytes (see `diskThresholds`). */
export interface DiskThresholds {
  degradedBytes: number;
  unhealthyBytes: number;
}

/** Degraded under min(1 GB, 5 %) free, unhealthy under min(100 MB, 1 %): lenient on small volumes. */
export function diskThresholds(totalBytes: number, env: NodeJS.ProcessEnv = process.env): DiskThresholds {
  return {
    degradedBytes:
      bytesFromEnv(env.VELOS_HEALTH_DISK_MIN_BYTES) ?? Math.min(1e9, Math.floor(totalBytes * 0.05)),
    unhealthyBytes:
      bytesFromEnv(env.VELOS_HEALTH_DISK_CRITICAL_BYTES) ?? Math.min(1e8, Math.floor(totalBytes * 0.01)),
  };
}

/** `disk`: free bytes of the filesystem holding the home against `thresholds`. */
export function checkDisk(
  space: { freeBytes: number; totalBytes: number } | { error: string },
  thresholds?: DiskThresholds,
): ComponentHealth {
  if ('error' in space)
    return { name: 'disk', status: 'degraded', reason: `cannot read free space: ${space.error}` };
  const limits = thresholds ?? diskThresholds(space.totalBytes);
  const free = `${formatBytes(space.freeBytes)} free of ${formatBytes(space.totalBytes)}`;
  const status: ComponentStatus =
    space.freeBytes < limits.unhealthyBytes
      ? 'unhealthy'
      : space.freeBytes < limits.degradedBytes
        ? 'degraded'
        : 'healthy';
  const below = status === 'unhealthy' ? limits.unhealthyBytes : limits.degradedBytes;
  const reason = status === 'healthy' ? free : `${free}, below ${formatBytes(below)}`;
  return { name: 'disk', status, reason, value: space.freeBytes };
}

/** `event-loop`: the worst lag of the daemon's event loop over the last seconds. */
export function checkLoopLag(lagMs: number): ComponentHealth {
  const status: ComponentStatus =
    lagMs > LOOP_LAG_UNHEALTHY_MS ? 'unhealthy' : lagMs > LOOP_LAG_DEGRADED_MS ? 'degraded' : 'healthy';
  const limit = status === 'unhealthy' ? LOOP_LAG_UNHEALTHY_MS : LOOP_LAG_DEGRADED_MS;
  const reason = status === 'healthy' ? `lag ${lagMs} ms` : `lag ${lagMs} ms, over ${limit} ms`;
  return { name: 'event-loop', status, reason, value: lagMs };
}

/** `ipc`: connections against the cap, refusals in the last minute, answers waiting for slow readers. */
export function checkIpc(stats: IpcStats, refusedSinceLast: number): ComponentHealth {
  const use = `${stats.connections}/${stats.maxConnections} connections`;
  const base = { name: 'ipc', value: stats.connections };
  if (refusedSinceLast > 0 || stats.connections >= stats.maxConnections) {
    return {
      ...base,
      status: 'unhealthy',
      reason: `${use}, ${refusedSinceLast} refused at the cap in the last minute`,
    };
  }
  if (stats.unsentBytes > stats.maxUnsentBytes) {
    return {
      ...base,
      status: 'degraded',
      reason: `${use}; ${formatBytes(stats.unsentBytes)} of answers unread by slow clients`,
    };
  }
  if (stats.connections >= Math.ceil(stats.maxConnections * IPC_BUSY_RATIO)) {
    return { ...base, status: 'degraded', reason: `${use}, near the cap` };
  }
  return { ...base, status: 'healthy', reason: use };
}

/** `logs`: lines lost to write errors in the last minute (degraded). */
export function checkLogs(
  droppedSinceLast: number,
  droppedTotal: number,
  pipelines: number,
): ComponentHealth {
  const base = { name: 'logs', value: droppedTotal };
  if (droppedSinceLast > 0) {
    return {
      ...base,
      status: 'degraded',
      reason: `${droppedSinceLast} line(s) dropped in the last minute on write errors (disk full or unwritable log file?)`,
    };
  }
  return {
    ...base,
    status: 'healthy',
    reason: `${pipelines} pipeline(s), ${droppedTotal} line(s) dropped in total`,
  };
}

/** `monitor`: age of the latest CPU/RSS sample against the sampling interval (null: idle, nothing runs). */
export function checkMonitor(ageMs: number | null, intervalMs: number): ComponentHealth {
  if (ageMs === null) return { name: 'monitor', status: 'healthy', reason: 'idle: no process runs' };
  const status: ComponentStatus =
    ageMs > intervalMs * MONITOR_STUCK_INTERVALS
      ? 'unhealthy'
      : ageMs > intervalMs * MONITOR_LATE_INTERVALS
        ? 'degraded'
        : 'healthy';
  const reason = `last sample ${ageMs} ms ago (every ${intervalMs} ms)`;
  return { name: 'monitor', status, reason, value: ageMs };
}

/** `state`: the latest write of the live table (a failure is unhealthy: a dying daemon's apps would be lost). */
export function checkState(stats: StateWriteStats): ComponentHealth {
  if (stats.lastError !== null) {
    return { name: 'state', status: 'unhealthy', reason: `last write failed: ${stats.lastError}` };
  }
  if (stats.lastWriteMs === null) return { name: 'state', status: 'healthy', reason: 'no write yet' };
  const status: ComponentStatus = stats.lastWriteMs > STATE_SLOW_WRITE_MS ? 'degraded' : 'healthy';
  return {
    name: 'state',
    status,
    reason: `last write took ${stats.lastWriteMs} ms`,
    value: stats.lastWriteMs,
  };
}

/** `scheduler`: job runs overdue by more than `SCHEDULER_LATE_MS` (their timers did not fire). */
export function checkScheduler(jobs: number, late: string[]): ComponentHealth {
  if (late.length > 0) {
    return {
      name: 'scheduler',
      status: 'degraded',
      reason: `run overdue for ${late.join(', ')}`,
      value: late.length,
    };
  }
  return { name: 'scheduler', status: 'healthy', reason: `${jobs} job(s) scheduled`, value: 0 };
}

function bytesFromEnv(raw: string | undefined): number | undefined {
  if (raw === undefined || !/^\d+$/.test(raw.trim())) return undefined;
  return Number(raw.trim());
}
