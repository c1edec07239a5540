#!/usr/bin/env node
// Velos side by side with PM2: node bench/run.mjs [--runs N] [--only list,rss,...] [--quick] [--managers velos,pm2] [--node <path>]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { collectEnvironment, currentLoad } from './lib/environment.mjs';
import { RUN_MARKER } from './lib/manager-driver.mjs';
import { createPm2Driver, installPm2 } from './lib/pm2-driver.mjs';
import { findMarkedPids, stopPids } from './lib/proc.mjs';
import { formatTable, writeResults } from './lib/report.mjs';
import { floorPids } from './lib/scenario-kit.mjs';
import { createVelosDriver, velosMissingReason } from './lib/velos-driver.mjs';
import { clusterCrash } from './scenarios/cluster-crash.mjs';
import { crashLoopRss } from './scenarios/crash-loop-rss.mjs';
import { crashRespawn } from './scenarios/crash-respawn.mjs';
import { crashRestart } from './scenarios/crash-restart.mjs';
import { daemonCrash } from './scenarios/daemon-crash.mjs';
import { daemonRss } from './scenarios/daemon-rss.mjs';
import { listLatency } from './scenarios/list-latency.mjs';
import { logLines } from './scenarios/log-lines.mjs';
import { logThroughput } from './scenarios/log-throughput.mjs';
import { reloadZeroDowntime } from './scenarios/reload-zero-downtime.mjs';
import { restartCommand } from './scenarios/restart-command.mjs';
import { startEach } from './scenarios/start-each.mjs';
import { startMany } from './scenarios/start-many.mjs';
import { startOne } from './scenarios/start-one.mjs';

const SCENARIOS = [
  listLatency,
  daemonRss,
  startMany,
  logThroughput,
  logLines,
  crashRestart,
  restartCommand,
  reloadZeroDowntime,
  clusterCrash,
  daemonCrash,
  crashLoopRss,
  startOne,
  startEach,
  crashRespawn,
];
const MANAGERS = ['velos', 'pm2'];
const USAGE = `usage: node bench/run.mjs [--runs N] [--only ${SCENARIOS.map((s) => s.name).join(',')}] [--quick] [--managers velos,pm2]
  --runs N      repetitions of each scenario (default 5, 2 with --quick)
  --only LIST   run only these scenarios
  --quick       fewer runs and smaller loads (20-30 apps, 200k lines), for a smoke test
  --managers    which managers to measure (default both; floors always run)
  --node PATH   run everything (harness, CLIs, daemons, apps, floors) with this node binary`;

const log = (message) => process.stderr.write(`${message}\n`);

const options = readOptions(process.argv.slice(2));
if (options.node !== undefined && resolve(options.node) !== process.execPath) reexecWith(options.node);
const runId = `${process.pid}-${Date.now()}`;
const tmp = mkdtempSync(join(tmpdir(), 'velos-bench-'));
const ctx = { runs: options.runs, quick: options.quick, tmp, runId, managers: [], log };
const notes = [];
const startedAt = new Date().toISOString();
const environment = collectEnvironment();
const versions = { node: process.version, velos: null, pm2: null };

let tearingDown = null;
const teardown = () => {
  tearingDown ??= (async () => {
    for (const manager of ctx.managers) {
      const left = await manager.shutdown().catch(() => 0);
      if (left > 0) notes.push(`${manager.label} left ${left} processes running after kill; stopped by PID`);
    }
    await stopPids([...floorPids]);
    const stray = findMarkedPids(RUN_MARKER, runId);
    if (stray.length > 0)
      notes.push(`${stray.length} processes of this run were still running at the end; stopped by PID`);
    await stopPids(stray);
    rmSync(tmp, { recursive: true, force: true });
  })();
  return tearingDown;
};
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.once(signal, () => {
    log(`\n${signal}: stopping every daemon and process this run started ...`);
    teardown().finally(() => process.exit(130));
  });
}

const scenarios = [];
try {
  await addManagers();
  for (const scenario of SCENARIOS.filter((s) => options.only.includes(s.name))) {
    log(`== ${scenario.name}: ${scenario.title}`);
    const started = performance.now();
    try {
      scenarios.push({ name: scenario.name, title: scenario.title, ...(await scenario.run(ctx)) });
    } catch (error) {
      log(`  failed: ${error.stack ?? error}`);
      scenarios.push({ name: scenario.name, title: scenario.title, error: String(error.message ?? error) });
    }
    scenarios.at(-1).seconds = Math.round((performance.now() - started) / 100) / 10;
  }
} finally {
  await teardown();
}

const document = {
  startedAt,
  finishedAt: new Date().toISOString(),
  options,
  environment: { ...environment, loadavgAfter: currentLoad() },
  versions,
  managers: ctx.managers.map((m) => m.name),
  notes,
  scenarios,
};
const resultsPath = writeResults(fileURLToPath(new URL('./results', import.meta.url)), document);
console.log(summaryText(document));
console.log(`\nresults: ${resultsPath}`);
process.exitCode = scenarios.some((s) => s.error) ? 1 : 0;

async function addManagers() {
  if (options.managers.includes('velos')) {
    const missing = velosMissingReason();
    if (missing) {
      notes.push(`Velos not measured: ${missing}`);
    } else {
      const velos = createVelosDriver({ home: mkdtempSync(join(tmp, 'velos-home-')), runId });
      try {
        await velos.ensureDaemon();
        versions.velos = velos.version;
        ctx.managers.push(velos);
      } catch (error) {
        notes.push(`Velos not measured: its daemon did not answer a ping: ${error.message}`);
        await velos.shutdown().catch(() => {});
      }
    }
  }
  if (options.managers.includes('pm2')) {
    try {
      const install = await installPm2({ log });
      const pm2 = createPm2Driver({ install, home: mkdtempSync(join(tmp, 'pm2-home-')), runId });
      ctx.managers.push(pm2);
      await pm2.ensureDaemon();
      versions.pm2 = install.version;
    } catch (error) {
      notes.push(`PM2 not measured: ${error.message}`);
      const pm2 = ctx.managers.find((m) => m.name === 'pm2');
      if (pm2) ctx.managers.splice(ctx.managers.indexOf(pm2), 1);
      await pm2?.shutdown().catch(() => {});
    }
  }
  for (const note of notes) log(note);
}

function summaryText(doc) {
  const env = doc.environment;
  const lines = [
    '',
    `Velos vs PM2 benchmarks, ${doc.startedAt.slice(0, 10)}${doc.options.quick ? ' (--quick)' : ''}, ${doc.options.runs} runs`,
    `nproc ${env.nproc}, ${env.cpuModel}, ${env.memoryTotalMB} MB RAM, Linux ${env.kernel}, Node ${doc.versions.node}`,
    `Velos ${doc.versions.velos ?? 'not measured'}, PM2 ${doc.versions.pm2 ?? 'not measured'}; load ${env.loadavg.join(' ')} -> ${env.loadavgAfter.join(' ')}`,
    ...doc.notes.map((note) => `note: ${note}`),
    '',
    formatTable(doc.scenarios),
    '',
  ];
  for (const scenario of doc.scenarios) {
    for (const note of scenario.notes ?? []) lines.push(`${scenario.name}: ${note}`);
    for (const [manager, error] of Object.entries(scenario.errors ?? {}))
      lines.push(`${scenario.name}: ${manager} error: ${error}`);
  }
  return lines.join('\n');
}

function readOptions(argv) {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      options: {
        runs: { type: 'string' },
        only: { type: 'string' },
        quick: { type: 'boolean', default: false },
        managers: { type: 'string' },
        node: { type: 'string' },
        help: { type: 'boolean', default: false },
      },
    }).values;
  } catch (error) {
    usageError(error.message);
  }
  if (parsed.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const runs = parsed.runs === undefined ? (parsed.quick ? 2 : 5) : Number(parsed.runs);
  if (!Number.isInteger(runs) || runs < 1)
    usageError(`--runs: expected a positive integer, got ${parsed.runs}`);
  const only = list(
    parsed.only,
    SCENARIOS.map((s) => s.name),
    '--only',
  );
  const managers = list(parsed.managers, MANAGERS, '--managers');
  return { runs, quick: parsed.quick, only, managers, node: parsed.node };
}

/** Runs this harness again under another node binary (first on PATH too, for managers that look it up there). */
function reexecWith(node) {
  const path = resolve(node);
  const env = { ...process.env, PATH: `${dirname(path)}:${process.env.PATH ?? ''}` };
  const result = spawnSync(path, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], {
    stdio: 'inherit',
    env,
  });
  if (result.error) usageError(`--node: cannot run ${path}: ${result.error.message}`);
  process.exit(result.status ?? 1);
}

function list(value, allowed, flag) {
  if (value === undefined) return allowed;
  const names = value
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !allowed.includes(name));
  if (unknown.length > 0 || names.length === 0)
    usageError(`${flag}: expected some of ${allowed.join(',')}, got ${value}`);
  return names;
}

function usageError(message) {
  console.error(`bench: ${message}\n${USAGE}`);
  process.exit(2);
}
