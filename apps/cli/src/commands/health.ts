import { type DaemonHealth, ErrorCodes, HEALTH_EXIT_CODES, isVelosError, VelosError } from '@velos/core';
import { type CommandContext, printWarnings } from '../context.js';
import { renderHealth, toAiHealth } from '../output/daemon-health.js';
import { daemonUmaskWarning } from './daemon-umask.js';

/** Exit status of `velos health` when no daemon answers (none runs, or it did not answer in time). */
export const NO_ANSWER_EXIT_CODE = 3;
/** How long `velos health` waits for the daemon's answer. */
export const HEALTH_ANSWER_TIMEOUT_MS = 10_000;

/**
 * `velos health`: the daemon's self-health (OBS-4). Never starts a daemon. Exits 0 when healthy or
 * degraded, 2 when unhealthy, 3 when no daemon answers: fit for a container HEALTHCHECK.
 */
export async function runHealth(ctx: CommandContext): Promise<void> {
  const client = await ctx.client({ autoStart: false });
  let health: DaemonHealth;
  try {
    health = await withTimeout(client.health(), HEALTH_ANSWER_TIMEOUT_MS);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    const isDown = isVelosError(error) && error.code === ErrorCodes.DAEMON_UNAVAILABLE;
    throw new VelosError(
      isDown ? ErrorCodes.DAEMON_UNAVAILABLE : ErrorCodes.TIMEOUT,
      isDown ? `no Velos daemon answers for ${ctx.home}: ${why}` : `the daemon did not answer: ${why}`,
      { data: { exitCode: NO_ANSWER_EXIT_CODE }, cause: error },
    );
  }
  if (ctx.mode === 'json') ctx.printJson(health);
  else if (ctx.mode === 'ai') ctx.printJson(toAiHealth(health));
  else ctx.print(renderHealth(health, ctx.colors));
  const umaskWarning = daemonUmaskWarning(ctx.home);
  if (umaskWarning !== null) printWarnings([umaskWarning]);
  const exitCode = HEALTH_EXIT_CODES[health.status];
  if (exitCode !== 0) {
    const faulty = health.components.filter((component) => component.status === 'unhealthy');
    throw new VelosError(
      ErrorCodes.DAEMON_UNHEALTHY,
      `the daemon is unhealthy: ${faulty.map((c) => `${c.name}: ${c.reason ?? c.status}`).join('; ')}`,
      { data: { exitCode } },
    );
  }
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new VelosError(ErrorCodes.TIMEOUT, `no answer within ${timeoutMs / 1000} s`)),
      timeoutMs,
    );
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
