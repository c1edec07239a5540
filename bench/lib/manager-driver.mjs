// The driver both managers share: run CLI commands, read the list, wait for states, clean up by PID.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runChecked, runCommand } from './exec.mjs';
import { hasEnvMarker, isAlive, readPidFile, stopPids } from './proc.mjs';
import { waitFor } from './wait.mjs';

/** Environment variable every process the harness starts carries, so cleanup only ever touches its own. */
export const RUN_MARKER = 'VELOS_BENCH_RUN';

/**
 * Builds a driver from what differs between managers: `bin` (a Node script), `home`, `env`, `listArgs`,
 * `pidFile`, `parseList(stdout)` → [{name, pid, status, restarts}], `outLogPath(name)`, `configName`,
 * `toConfig(apps)` (apps as {name, script, env, autorestart, restartDelayMs, minUptimeMs, maxRestarts}).
 */
export function createManagerDriver(spec) {
  const seenPids = new Set();
  const run = (args, { timeoutMs = 60_000 } = {}) =>
    runChecked(process.execPath, [spec.bin, ...args], { env: spec.env, timeoutMs });

  const driver = {
    name: spec.name,
    label: spec.label,
    version: spec.version,
    home: spec.home,
    env: spec.env,
    /** [file, args] of a CLI call, for timing it exactly as a user types it. */
    command: (args) => [process.execPath, [spec.bin, ...args]],
    listArgs: spec.listArgs,
    parseList: spec.parseList,
    run,
    daemonPid: () => readPidFile(spec.pidFile),
    outLogPath: spec.outLogPath,

    /** Pings the daemon (starting it if needed) and returns its PID once it is alive. */
    async ensureDaemon() {
      await run(['ping'], { timeoutMs: 30_000 });
      return waitFor(
        () => {
          const pid = readPidFile(spec.pidFile);
          return pid !== null && isAlive(pid) ? pid : null;
        },
        { timeoutMs: 10_000, what: `${spec.label} daemon pid file` },
      );
    },

    /** The normalized process list; every PID seen is remembered for cleanup. */
    async list() {
      const result = await run(spec.listArgs);
      const rows = spec.parseList(result.stdout);
      for (const row of rows) if (row.pid) seenPids.add(row.pid);
      return rows;
    },

    /** Polls the list until every name is online with a PID; returns Map name → pid. */
    async waitOnline(names, { timeoutMs = 120_000 } = {}) {
      return waitFor(
        async () => {
          const byName = new Map((await driver.list()).map((row) => [row.name, row]));
          const online = names.every((n) => byName.get(n)?.status === 'online' && byName.get(n)?.pid);
          return online ? new Map(names.map((n) => [n, byName.get(n).pid])) : null;
        },
        { timeoutMs, intervalMs: 300, what: `${names.length} ${spec.label} apps online` },
      );
    },

    /** Writes the manager's config file for `apps` into `dir` and returns its path. */
    writeConfig(dir, apps) {
      const path = join(dir, spec.configName);
      writeFileSync(path, `${JSON.stringify(spec.toConfig(apps), null, 2)}\n`);
      return path;
    },

    startConfig: (path) => run(['start', path], { timeoutMs: 300_000 }),
    restart: (name) => run(['restart', name]),

    /**
     * Deletes every app and waits for their PIDs to be gone; any left behind is stopped by PID.
     * Returns the number of processes the manager left behind.
     */
    async deleteAll() {
      const rows = await driver.list();
      if (rows.length > 0) await run(['delete', 'all'], { timeoutMs: 120_000 });
      return reapOwned([...seenPids]);
    },

    /** Stops the manager (its `kill` command), then its daemon and any app it left, by PID. */
    async shutdown() {
      const daemon = readPidFile(spec.pidFile);
      if (daemon !== null && isAlive(daemon)) {
        await runCommand(process.execPath, [spec.bin, 'kill'], { env: spec.env, timeoutMs: 60_000 }).catch(
          () => {},
        );
      }
      if (daemon !== null) await stopPids([daemon]);
      const left = await reapOwned([...seenPids]);
      seenPids.clear();
      return left;
    },
  };

  async function reapOwned(pids) {
    // Only processes carrying this run's marker count, so a recycled PID is never waited on or killed.
    const owned = () => pids.filter((pid) => isAlive(pid) && hasEnvMarker(pid, RUN_MARKER, spec.runId));
    try {
      await waitFor(() => owned().length === 0, { timeoutMs: 20_000, intervalMs: 50, what: 'apps to exit' });
      return 0;
    } catch {
      const left = owned();
      await stopPids(left);
      return left.length;
    } finally {
      for (const pid of pids) if (!isAlive(pid)) seenPids.delete(pid);
    }
  }

  return driver;
}

/** The common app description turned into the snake_case entries both managers' config files accept. */
export function toSnakeCaseApp(app) {
  const entry = { name: app.name, script: app.script };
  if (app.args) entry.args = app.args;
  if (app.env) entry.env = app.env;
  if (app.autorestart !== undefined) entry.autorestart = app.autorestart;
  if (app.restartDelayMs !== undefined) entry.restart_delay = app.restartDelayMs;
  if (app.minUptimeMs !== undefined) entry.min_uptime = app.minUptimeMs;
  if (app.maxRestarts !== undefined) entry.max_restarts = app.maxRestarts;
  return entry;
}
