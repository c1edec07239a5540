import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';
import { compileWithCodeCache } from '../monit/code-cache.js';
import { ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN, renderSplash } from '../monit/splash.js';

/** Exit status of `velos monit` when it cannot run: no terminal to draw on (documented in docs/monit.md). */
export const MONIT_NO_TTY_EXIT_CODE = 2;

/**
 * `velos monit`: the live dashboard. It needs a terminal on stdin and stdout. The process table is
 * drawn as text first; ink and react live in dist/monit.cjs (a build entry of their own), run here
 * with V8's code cache, so no other command loads them.
 */
export async function runMonit(ctx: CommandContext): Promise<void> {
  const stream = !process.stdout.isTTY ? 'stdout' : !process.stdin.isTTY ? 'stdin' : null;
  if (stream !== null) {
    throw new VelosError(
      ErrorCodes.INVALID_ARGUMENT,
      `monit needs a terminal (${stream} is not a TTY); use velos list, velos list --json or velos logs -f`,
      { data: { exitCode: MONIT_NO_TTY_EXIT_CODE } },
    );
  }
  // the first connection starts the daemon when none runs; a reconnect never does: after a `velos
  // kill` monit shows it unreachable until something else starts it again
  const client = await ctx.client({ autoStart: 'once' });
  const listing = client.list();
  // awaited below; a failure meanwhile is not an unhandled rejection
  listing.catch(() => undefined);
  // The request leaves once the socket connects (a turn of the event loop): dist/monit.cjs is read and
  // compiled while the daemon answers. It sits beside this chunk in dist/; its code cache lives in the
  // home (written after the first frame).
  await new Promise((resolve) => setImmediate(resolve));
  keepCodeUnoptimised();
  const compiled = compileWithCodeCache<typeof import('../monit/run-monit.js')>(
    fileURLToPath(new URL('./monit.cjs', import.meta.url)),
    join(ctx.home, 'cache'),
  );
  const processes = await listing;
  const leave = () => process.stdout.write(LEAVE_ALT_SCREEN);
  process.once('exit', leave);
  // Node ends on SIGTERM, SIGHUP or SIGINT (a Ctrl-C before ink reads the keys in raw mode) without its
  // 'exit' listeners: the shell would stay on the alternate screen. Exiting from the handler runs them
  // (the status is still 128 + the signal's number).
  const onSignal = (signal: NodeJS.Signals) => process.exit(128 + EXIT_SIGNALS[signal as ExitSignal]);
  for (const signal of Object.keys(EXIT_SIGNALS)) process.on(signal, onSignal);
  process.stdout.write(
    ENTER_ALT_SCREEN + renderSplash(processes, process.stdout.columns || 80, process.stdout.rows || 24),
  );
  // ink draws only its last frame when it thinks it runs in CI (CI, CONTINUOUS_INTEGRATION or CI_* set):
  // monit has a terminal (checked above), so it is interactive whatever a CI variable says
  hideCiFromInk(process.env);
  try {
    const monit = compiled.run();
    await monit.exports.runMonitApp(client, processes, { onFirstFrame: monit.saveCache });
  } finally {
    process.off('exit', leave);
    for (const signal of Object.keys(EXIT_SIGNALS)) process.off(signal, onSignal);
    leave();
  }
}

/** The signals that end monit, with their numbers (a process they end exits with 128 + it). */
const EXIT_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
type ExitSignal = keyof typeof EXIT_SIGNALS;

/**
 * V8 flags of monit: no optimising compilers (TurboFan; Maglev, Node 24's quick one, too). A dashboard
 * that draws a frame every few seconds never runs long enough to pay its compiles back: on V8's worker
 * threads they were most of an idle monit's CPU (1.7 % of a core → 0.7 % on Node 20 without TurboFan;
 * on Node 24 0.8 → 0.7 % without Maglev as well, whose compiles were also ~5 ms of the first frame's
 * CPU). `--max-opt` would say it too, but Node 24 reads that one only at start-up.
 */
export const MONIT_V8_FLAGS = '--no-turbofan --no-maglev';

/** Sets MONIT_V8_FLAGS; before dist/monit.cjs is compiled, as V8 keys its code cache by its flags. */
function keepCodeUnoptimised(): void {
  const v8 = createRequire(import.meta.url)('node:v8') as typeof import('node:v8');
  v8.setFlagsFromString(MONIT_V8_FLAGS);
}

/** Removes the variables ink's CI detection reads (ink decides once, when it is imported). */
function hideCiFromInk(env: NodeJS.ProcessEnv): void {
  for (const key of Object.keys(env)) {
    if (key === 'CI' || key === 'CONTINUOUS_INTEGRATION' || key.startsWith('CI_')) delete env[key];
  }
}
