import { ErrorCodes, VelosError } from '@velos/core';
import type { CommandContext } from '../context.js';

/** Exit status of `velos monit` when it cannot run: no terminal to draw on (documented in docs/monit.md). */
export const MONIT_NO_TTY_EXIT_CODE = 2;

/**
 * `velos monit`: the live dashboard. It needs a terminal on stdin and stdout; ink and react live in
 * dist/monit.js (a build entry of its own), imported here on demand, so no other command loads them.
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
  // A computed specifier: the bundler leaves dist/monit.js (built with React's production build) alone.
  const entry = './monit.js';
  // Loading ink (~0.1 s, mostly yoga's WebAssembly) overlaps connecting to the daemon.
  const [monit, client] = await Promise.all([
    import(entry) as Promise<typeof import('../monit/run-monit.js')>,
    ctx.client().then(async (c) => {
      await c.ping();
      return c;
    }),
  ]);
  await monit.runMonitApp(client);
}
