import { rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { socketPath } from '@velos/client';
import {
  ErrorCodes,
  HOME_LAYOUT,
  isVelosError,
  type PingResult,
  type ProcessInfo,
  VelosError,
} from '@velos/core';
import { type CommandContext, printWarnings } from '../context.js';
import { keepDaemonTimeZone } from './daemon-time-zone.js';
import { waitForExit } from './kill.js';
import { serviceUnitOfPid } from './service-unit.js';

/** Start-up warnings of the new daemon that `update` sums up itself (SUP-13's adoption lines). */
const ADOPTION_WARNING =
  /did not stop cleanly|^re-adopted |^stopped .* cannot be re-adopted|^run entry of process .* is stale/;

/**
 * `velos update` (PM2 drop-in): replaces the daemon with one started from this CLI (a newly
 * installed version) while the apps keep running. The old daemon stops reading the apps' output and
 * writes what it read (`handOver`), then it is ended with SIGKILL so that it stops nothing, and the new one re-adopts
 * what it ran from `run/live.json` (SUP-13): services (fork and cluster mode) and job runs in progress
 * keep their pids; a process it could not take over is started again. A daemon run by a systemd unit (`velos startup`)
 * (`velos daemon --foreground` in a service's cgroup) is started again by systemd (`Restart=on-failure`),
 * which `update` waits for. With no daemon
 * running it just starts one.
 */
export async function runUpdate(ctx: CommandContext): Promise<void> {
  const old = await ctx.client({ autoStart: false, isQuiet: true });
  let before: { ping: PingResult; processes: ProcessInfo[] };
  try {
    before = { ping: await old.ping(), processes: await old.list() };
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.DAEMON_UNAVAILABLE) throw error;
    const started = await (await ctx.client()).ping();
    report(ctx, { pid: null, version: null }, started, { kept: [], restarted: [] });
    return;
  }
  // A daemon run by a service unit (velos startup) is started again by its service manager (Restart=on-failure)
  const service = serviceUnitOfPid(before.ping.pid);
  // the new daemon reads cron expressions in the old one's zone (read before the old one is gone)
  if (!service) keepDaemonTimeZone(before.ping.pid);
  await handOver(old);
  await old.close();
  // the next daemon reads that this one was ended on purpose: its take-over is no unclean stop to warn of
  const handover = join(ctx.home, HOME_LAYOUT.handover);
  writeFileSync(handover, JSON.stringify({ pid: before.ping.pid }), { mode: 0o600 });
  try {
    process.kill(before.ping.pid, 'SIGKILL');
  } catch (error) {
    rmSync(handover, { force: true });
    throw error;
  }
  await waitForExit(before.ping.pid);
  await waitSocketClosed(socketPath(ctx.home));
  const after = service
    ? await waitServiceDaemon(ctx, service)
    : await (await ctx.client({ isQuiet: true })).ping();
  const fresh = await ctx.client({ autoStart: false });
  const processes = await fresh.list();
  printWarnings(after.warnings?.filter((warning) => !ADOPTION_WARNING.test(warning)));
  report(ctx, before.ping, after, compareRuns(before.processes, processes));
}

/**
 * Makes the old daemon stop reading the apps' output and write what it read (`handOver`), so that the
 * SIGKILL loses no line: what the apps write from then on waits in their FIFOs for the new daemon. A
 * daemon of a version without that command flushes its log files (`reloadLogs`) instead.
 */
async function handOver(old: Awaited<ReturnType<CommandContext['client']>>): Promise<void> {
  try {
    await old.handOver();
  } catch (error) {
    if (!isVelosError(error) || error.code !== ErrorCodes.UNKNOWN_COMMAND) throw error;
    await old.reloadLogs();
  }
}

/** How long the old daemon's socket may take to close after its main thread is gone. */
const SOCKET_CLOSE_DEADLINE_MS = 10_000;

/**
 * Waits until nothing accepts connections on the daemon socket: the main thread of a SIGKILLed daemon
 * may be a zombie while its other threads still hold its files (the socket, the lock) for a moment.
 */
async function waitSocketClosed(path: string): Promise<void> {
  const deadline = Date.now() + SOCKET_CLOSE_DEADLINE_MS;
  while (await isAccepting(path)) {
    if (Date.now() > deadline) {
      throw new VelosError(ErrorCodes.TIMEOUT, `the old daemon's socket ${path} still accepts connections`);
    }
    await sleep(20);
  }
}

function isAccepting(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(path);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** How long a service manager may take to start the daemon again (systemd's RestartSec and the restore). */
const SERVICE_RESTART_DEADLINE_MS = 30_000;

/** Waits until the service manager has started the new daemon and it answers. */
async function waitServiceDaemon(ctx: CommandContext, service: string): Promise<PingResult> {
  const deadline = Date.now() + SERVICE_RESTART_DEADLINE_MS;
  for (;;) {
    const client = await ctx.client({ autoStart: false });
    try {
      const ping = await client.ping();
      if (!ping.restoring) return ping;
    } catch (error) {
      if (!isVelosError(error) || error.code !== ErrorCodes.DAEMON_UNAVAILABLE) throw error;
    } finally {
      await client.close();
    }
    if (Date.now() > deadline) {
      throw new VelosError(
        ErrorCodes.DAEMON_UNAVAILABLE,
        `the daemon of ${service} was ended for the update but its service manager did not start it again within ${SERVICE_RESTART_DEADLINE_MS / 1000} s; run systemctl start ${service}`,
      );
    }
    await sleep(200);
  }
}

/** Which processes that ran before kept their pid, and which run again under a new one. */
function compareRuns(
  before: ProcessInfo[],
  after: ProcessInfo[],
): { kept: ProcessInfo[]; restarted: ProcessInfo[] } {
  const pidBefore = new Map(before.filter((info) => info.pid !== null).map((info) => [info.id, info.pid]));
  const running = after.filter((info) => pidBefore.has(info.id));
  return {
    kept: running.filter((info) => info.pid === pidBefore.get(info.id)),
    restarted: running.filter((info) => info.pid !== pidBefore.get(info.id)),
  };
}

function report(
  ctx: CommandContext,
  old: { pid: number | null; version: string | null },
  fresh: PingResult,
  runs: { kept: ProcessInfo[]; restarted: ProcessInfo[] },
): void {
  if (ctx.mode !== 'text') {
    ctx.printJson({
      old: { pid: old.pid, version: old.version },
      new: { pid: fresh.pid, version: fresh.version },
      kept: runs.kept.map((info) => info.id),
      restarted: runs.restarted.map((info) => info.id),
    });
    return;
  }
  if (old.pid === null) {
    ctx.print(`no Velos daemon was running: started daemon ${fresh.version} (pid ${fresh.pid})`);
    return;
  }
  const restarted =
    runs.restarted.length === 0
      ? ''
      : `, ${runs.restarted.length} started again (not re-adopted: ${names(runs.restarted)})`;
  ctx.print(
    `daemon replaced: pid ${old.pid} (${old.version}) → pid ${fresh.pid} (${fresh.version}); ` +
      `${runs.kept.length} ${runs.kept.length === 1 ? 'process' : 'processes'} kept running${restarted}`,
  );
}

function names(processes: ProcessInfo[]): string {
  return [...new Set(processes.map((info) => info.name))].join(', ');
}
