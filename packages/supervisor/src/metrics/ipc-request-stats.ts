import type { DaemonMetrics } from '@velos/core';
import { createHistogram } from './histogram.js';

/** Upper bounds of the IPC latency buckets, in seconds (1 ms to 10 s). */
export const IPC_LATENCY_BOUNDS_SECONDS = [
  0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
] as const;
/** Distinct command names counted; a client sending made-up names cannot grow the table beyond it. */
const MAX_COMMANDS = 200;
/** The command name an unknown (or one too many) command is counted under. */
const OTHER_COMMAND = 'other';

/** OBS-1: requests the daemon answered on its socket, by command and outcome, and their latency. */
export interface IpcRequestStats {
  /** Counts one answer: `outcome` is `ok` or the error code; `seconds` from the request's frame to its answer (null for a stream opened). */
  record(cmd: string, outcome: string, seconds: number | null): void;
  requests(): DaemonMetrics['ipcRequests'];
  latency(): DaemonMetrics['ipcLatencySeconds'];
}

/** Creates the counters: a map of command to outcome counts and one histogram. */
export function createIpcRequestStats(): IpcRequestStats {
  const byCommand = new Map<string, Record<string, number>>();
  const latency = createHistogram(IPC_LATENCY_BOUNDS_SECONDS);
  return {
    record(cmd, outcome, seconds) {
      let outcomes = byCommand.get(cmd);
      if (outcomes === undefined) {
        const key = outcome === 'UNKNOWN_COMMAND' || byCommand.size >= MAX_COMMANDS ? OTHER_COMMAND : cmd;
        outcomes = byCommand.get(key);
        if (outcomes === undefined) {
          outcomes = {};
          byCommand.set(key, outcomes);
        }
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      if (seconds !== null) latency.observe(seconds);
    },
    requests() {
      const rows: DaemonMetrics['ipcRequests'] = [];
      for (const [cmd, outcomes] of byCommand) {
        for (const [outcome, count] of Object.entries(outcomes)) rows.push({ cmd, outcome, count });
      }
      return rows;
    },
    latency: () => latency.toData(),
  };
}
