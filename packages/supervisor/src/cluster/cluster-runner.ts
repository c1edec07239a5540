import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorCodes, VelosError } from '@velos/core';
import type { PrimaryEntry } from '../orphans/primary-registry.js';
import { runDirOf } from '../orphans/run-files.js';
import type { AppEntry, ProcessRecord } from '../process-record.js';
import type { RunnerHooks } from '../process-runner.js';
import { ClusterHost } from './cluster-host.js';
import { clusterCommand } from './exec-mode.js';
import { findPrimaryScript } from './primary-path.js';

/** Runs the processes of cluster apps as workers of one primary per app (loaded only for such apps). */
export interface ClusterRunner {
  /** Starts a run of a process as a cluster worker; false when its app does not run in cluster mode. */
  spawn(record: ProcessRecord): boolean;
  /**
   * Replaces the worker of a running process by a new one once that one is ready (SUP-6); resolves
   * with the old worker's retirement, or null when the process is not a running cluster worker.
   * `reason` is the process's exit reason then: `reload`, or `watch` for a watch mode's rolling restart.
   */
  reload(record: ProcessRecord, reason?: 'reload' | 'watch'): Promise<{ retired: Promise<void> } | null>;
  /**
   * Resolves once the worker spawned for a process is online with its pid (a few seconds at most), or
   * with `wait_ready` said 'ready' (within `listen_timeout`), or exited: what a start answers after.
   */
  whenStarted(record: ProcessRecord): Promise<void>;
  /**
   * Disconnects a running worker from the port it shares and waits until its open requests are done
   * (`kill_timeout` at most) before it is stopped: a scale-down loses no request. Nothing for a process
   * that is not a running cluster worker.
   */
  drain(record: ProcessRecord): Promise<void>;
  /**
   * SUP-13: takes over the primary of a registry entry left by a daemon that died, and its workers that
   * are runs of `records` (the restored processes of its app); null when it cannot (no answer, not a
   * cluster app any more), else the records whose run was taken over.
   */
  takeOver(entry: PrimaryEntry, records: ProcessRecord[]): Promise<ProcessRecord[] | null>;
  /** Lets every primary go and waits for them to exit. */
  close(): Promise<void>;
}

/** Creates the cluster runner of a supervisor; throws when the primary script is missing. */
export function createClusterRunner(hooks: RunnerHooks): ClusterRunner {
  const primaryPath = findPrimaryScript();
  // primaries' sockets and registry entries live in the home's run directory (a private one without a home)
  const runDir =
    hooks.home === undefined ? mkdtempSync(join(tmpdir(), 'velos-cluster-')) : runDirOf(hooks.home);
  const hosts = new Map<AppEntry, ClusterHost>();

  function hostOf(app: AppEntry): ClusterHost {
    let host = hosts.get(app);
    if (!host) {
      for (const [entry, other] of hosts) if (!other.isRunning()) hosts.delete(entry);
      host = new ClusterHost(app.spec.name, primaryPath, runDir, hooks);
      hosts.set(app, host);
    }
    return host;
  }

  return {
    spawn(record) {
      if (!clusterCommand(record.app.spec)) return false;
      hostOf(record.app).spawn(record);
      return true;
    },

    async reload(record, reason = 'reload') {
      const host = hosts.get(record.app);
      const old = record.run;
      if (!host || !old || record.status !== 'online' || !host.owns(old)) return null;
      const candidate = await host.startCandidate(record);
      if ('reason' in candidate) {
        const message = `reload of ${record.app.spec.name}: process ${record.id} (instance ${record.instance}): ${candidate.reason}; the old worker (pid ${old.pid}) keeps running`;
        try {
          record.pipeline.note('err', `velos: ${message}`);
        } catch {
          // deleted meanwhile: its pipeline is closed
        }
        hooks.log(message);
        // TIMEOUT, as a fork-mode reload whose restarted process is not ready in time
        const code = candidate.code === 'TIMEOUT' ? ErrorCodes.TIMEOUT : ErrorCodes.SPAWN_FAILED;
        throw new VelosError(code, message, {
          data: { id: record.id, name: record.app.spec.name, pid: old.pid },
        });
      }
      if (record.run !== old || record.status !== 'online') {
        // the old worker ended (and the restart policy took over) while the new one got ready
        await host.stopSlot(candidate);
        return { retired: Promise.resolve() };
      }
      host.adopt(candidate);
      record.restarts += 1;
      // asked for: health scores count only the restarts nobody asked for
      record.requestedRestarts += 1;
      record.lastExitReason = reason;
      record.unstableRestarts = 0;
      record.backoffMs = 0;
      hooks.log(
        `process ${record.id} (${record.app.spec.name}): reloaded, worker ${old.pid} → ${candidate.pid}`,
      );
      return { retired: host.retire(old, record) };
    },

    async whenStarted(record) {
      await hosts.get(record.app)?.whenStarted(record);
    },

    async drain(record) {
      const host = hosts.get(record.app);
      const run = record.run;
      if (host && run && host.owns(run)) await host.drain(run, record);
    },

    async takeOver(entry, records) {
      const mine = records.filter((record) => record.app.spec.name === entry.name);
      const app = mine[0]?.app;
      if (!app || !clusterCommand(app.spec)) return null;
      return hostOf(app).takeOver(entry, mine);
    },

    async close() {
      await Promise.all([...hosts.values()].map((host) => host.close()));
      hosts.clear();
    },
  };
}
