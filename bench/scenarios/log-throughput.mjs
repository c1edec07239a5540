// Scenario 4: 1M lines from fixtures/chatty.js through each manager into its log, with a loss check.
import { closeSync, openSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { checkNumberedFile, numberedLinesBytes } from '../lib/line-checker.mjs';
import { readCpuSeconds, stopPids } from '../lib/proc.mjs';
import { makeRow } from '../lib/report.mjs';
import {
  appList,
  FIXTURES,
  forEachManager,
  freshDir,
  spawnFloor,
  trackCommand,
} from '../lib/scenario-kit.mjs';
import { epochMs, settleWithin, waitFor } from '../lib/wait.mjs';

/** A log that stops growing for this long is taken as final (lines were lost). */
const STALL_MS = 15_000;
/**
 * For the capture timing the app waits this long before its first line, so that the CLI that started it
 * has exited and the span holds only the writing and its capture (no start-up work competing for 2 cores).
 */
const CAPTURE_DELAY_MS = 1500;

/**
 * Capture time: chatty.js waits CAPTURE_DELAY_MS, writes the time of its first line to START_FILE, then
 * its lines; measured from that time until the out log holds every byte of `line 1` … `line N`; floor:
 * the same program redirected to a file, from that time to its exit. A second pass without the delay
 * times it end to end from issuing `start`. Both passes check for lines lost, duplicated, torn or out of
 * order; the daemon's CPU seconds are taken over the end-to-end pass.
 */
export const logThroughput = {
  name: 'logs',
  title: 'Log throughput, 1M lines, with loss check',
  async run(ctx) {
    const count = ctx.quick ? 200_000 : 1_000_000;
    const errors = {};
    const time = { floor: [], velos: [], pm2: [] };
    const endToEnd = { floor: [], velos: [], pm2: [] };
    const cpu = { velos: [], pm2: [] };
    const firstLine = { velos: [], pm2: [] };
    const losses = [];
    const checks = { floor: [], velos: [], pm2: [] };
    for (let run = 0; run < ctx.runs; run += 1) {
      ctx.log(`  run ${run + 1}/${ctx.runs}`);
      const floorCapture = await redirectFloor(ctx, count, CAPTURE_DELAY_MS);
      const floor = await redirectFloor(ctx, count, 0);
      time.floor.push(floorCapture.captureMs);
      endToEnd.floor.push(floor.ms);
      checks.floor.push(floorCapture.check, floor.check);
      await forEachManager(ctx, run, errors, async (manager) => {
        const capture = await throughManager(ctx, manager, count, 2 * run, CAPTURE_DELAY_MS);
        const result = await throughManager(ctx, manager, count, 2 * run + 1, 0);
        time[manager.name].push(capture.captureMs);
        endToEnd[manager.name].push(result.ms);
        cpu[manager.name].push(result.cpuSeconds);
        if (result.firstByteMs !== null) firstLine[manager.name].push(result.firstByteMs);
        for (const { check } of [capture, result]) {
          if (check.lost > 0) {
            losses.push(
              `${manager.label} run ${run + 1}: ${check.lost} lines lost, the first is line ${check.firstLost}`,
            );
          }
          checks[manager.name].push(check);
        }
      });
    }
    const worst = (key) =>
      Object.fromEntries(Object.entries(checks).map(([side, list]) => [side, list.map((c) => c[key])]));
    const zero = { kind: 'zero', text: '0' };
    return {
      rows: [
        makeRow({
          metric: `${count / 1e6}M lines: first line written -> all lines in the log`,
          unit: 'ms',
          samples: time,
          base: 'floor',
          target: { kind: 'floor-ratio', value: 1.5, text: '<= 1.5x floor' },
        }),
        makeRow({
          metric: `${count / 1e6}M lines: start issued -> all lines in the log (incl. CLI and app start-up)`,
          unit: 'ms',
          samples: endToEnd,
          base: 'floor',
        }),
        makeRow({
          metric: 'of which: start issued until the first line is in the log',
          unit: 'ms',
          samples: firstLine,
        }),
        makeRow({
          metric: 'lines lost (worst run)',
          unit: 'count',
          samples: worst('lost'),
          aggregate: 'max',
          target: zero,
        }),
        makeRow({
          metric: 'lines duplicated (worst run)',
          unit: 'count',
          samples: worst('duplicated'),
          aggregate: 'max',
          target: zero,
        }),
        makeRow({
          metric: 'lines torn (worst run)',
          unit: 'count',
          samples: worst('torn'),
          aggregate: 'max',
          target: zero,
        }),
        makeRow({
          metric: 'lines out of order (worst run)',
          unit: 'count',
          samples: worst('outOfOrder'),
          aggregate: 'max',
          target: zero,
        }),
        makeRow({
          metric: 'daemon CPU time during the run',
          unit: 's',
          samples: cpu,
          base: 'pm2',
          target: { kind: 'below-pm2', text: '< PM2' },
        }),
      ],
      errors,
      notes: [
        `capture: chatty.js COUNT=${count} RATE=0 DELAY_MS=${CAPTURE_DELAY_MS} records the time of its first write; floor: node chatty.js > file, from that time to its exit; managers: from that time until the out log has all ${numberedLinesBytes(count)} bytes (polled every 2 ms)`,
        `end to end (no delay): floor from spawn to exit; managers from spawning \`start <config>\` (autorestart off) until the log is complete; daemon CPU = utime+stime of the daemon PID over that span`,
        ...losses,
      ],
    };
  },
};

async function throughManager(ctx, manager, count, run, delayMs) {
  const name = `chatty-${run}`;
  const [app] = appList(ctx, {
    prefix: 'chatty',
    from: run,
    count: 1,
    script: FIXTURES.chatty,
    autorestart: false,
  });
  const dir = freshDir(ctx, 'logs-config');
  const startFile = join(dir, 'started-at');
  app.env = { ...app.env, COUNT: String(count), RATE: '0', DELAY_MS: String(delayMs), START_FILE: startFile };
  const config = manager.writeConfig(dir, [app]);
  const daemon = await manager.ensureDaemon();
  await manager.deleteAll();
  const outLog = manager.outLogPath(name);
  const cpuBefore = readCpuSeconds(daemon);
  const started = performance.now();
  const command = trackCommand(manager.startConfig(config));
  const firstByteAt = await waitForLog(outLog, numberedLinesBytes(count), () => command.error);
  const ms = performance.now() - started;
  const captureMs = epochMs() - Number(readFileSync(startFile, 'utf8'));
  const cpuAfter = readCpuSeconds(daemon);
  await command.done;
  if (command.error) throw command.error;
  if (cpuBefore === null || cpuAfter === null) throw new Error(`${manager.label} daemon ${daemon} is gone`);
  const check = checkNumberedFile(outLog, count);
  await manager.deleteAll();
  return {
    ms,
    captureMs,
    cpuSeconds: roundTicks(cpuAfter - cpuBefore),
    check,
    firstByteMs: firstByteAt === null ? null : firstByteAt - started,
  };
}

/**
 * Polls the log's size until it reaches `bytes`, or until it has not grown for STALL_MS; returns when
 * (performance.now()) its first byte was seen.
 */
async function waitForLog(path, bytes, failure) {
  let firstByteAt = null;
  let lastSize = -1;
  let lastGrowth = performance.now();
  await waitFor(
    () => {
      const error = failure();
      if (error) throw error;
      const size = sizeOf(path);
      if (size > 0) firstByteAt ??= performance.now();
      if (size >= bytes) return true;
      if (size !== lastSize) {
        lastSize = size;
        lastGrowth = performance.now();
      }
      return performance.now() - lastGrowth > STALL_MS;
    },
    { timeoutMs: 600_000, intervalMs: 2, what: `${path} to reach ${bytes} bytes` },
  );
  return firstByteAt;
}

/** `node chatty.js > file`: spawn to exit, and the same check of the file. */
async function redirectFloor(ctx, count, delayMs) {
  const dir = freshDir(ctx, 'logs-floor');
  const file = join(dir, 'out.log');
  const startFile = join(dir, 'started-at');
  const fd = openSync(file, 'w');
  const started = performance.now();
  const child = spawnFloor(ctx, process.execPath, [FIXTURES.chatty], {
    env: { COUNT: String(count), RATE: '0', DELAY_MS: String(delayMs), START_FILE: startFile },
    stdio: ['ignore', fd, 'inherit'],
  });
  closeSync(fd);
  let ms = null;
  let exitedAt = null;
  const exited = new Promise((resolve) =>
    child.on('exit', () => {
      ms = performance.now() - started;
      exitedAt = epochMs();
      resolve();
    }),
  );
  await settleWithin(exited, 300_000);
  if (ms === null) {
    await stopPids([child.pid]);
    throw new Error('the floor chatty.js did not finish within 300 s');
  }
  const captureMs = exitedAt - Number(readFileSync(startFile, 'utf8'));
  return { ms, captureMs, check: checkNumberedFile(file, count) };
}

/** CPU seconds come in clock ticks (10 ms): drop the float noise of the subtraction so a tie stays a tie. */
function roundTicks(seconds) {
  return Math.round(seconds * 1000) / 1000;
}

function sizeOf(path) {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
