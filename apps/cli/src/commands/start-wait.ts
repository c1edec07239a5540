import { ErrorCodes, type ProcessInfo, parseDurationMs, type VelosControl, VelosError } from '@velos/core';
import { argumentError } from '../parse-argv.js';

/** How long `velos start --wait` waits when `--wait-timeout` is not given. */
export const DEFAULT_START_WAIT_MS = 5 * 60_000;

/** How often `velos start --wait` reads the list. */
const WAIT_POLL_MS = 200;

/** The `--wait-timeout` of `velos start` in ms: a duration with a unit (`30s`, `2m`). */
export function parseWaitTimeout(text: string | undefined): number {
  if (text === undefined) return DEFAULT_START_WAIT_MS;
  const ms = /^\d+(\.\d+)?$/.test(text.trim()) ? null : parseDurationMs(text);
  if (ms === null || ms <= 0)
    throw argumentError(
      `--wait-timeout: expected a duration with a unit like 30s or 2m, got ${JSON.stringify(text)}`,
    );
  return ms;
}

/**
 * `velos start --wait`, as `docker compose up --wait`: reads the list until no process of the apps
 * `names` is still coming up (held for its `depends_on`, launching, waiting to restart, or online with
 * a readiness probe that has not passed), or `timeoutMs` ran out. A job counts as up once launched (its
 * runs are not waited for). Returns the last list read, and a TIMEOUT error naming each app still
 * coming up when time ran out.
 */
export async function waitForStart(
  client: Pick<VelosControl, 'list'>,
  names: ReadonlySet<string>,
  timeoutMs: number,
): Promise<{ listed: ProcessInfo[]; timeout: VelosError | null }> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const listed = await client.list();
    const pending = listed.filter((p) => names.has(p.name) && isComingUp(p));
    if (pending.length === 0) return { listed, timeout: null };
    const leftMs = deadline - Date.now();
    if (leftMs <= 0) return { listed, timeout: timeoutError(pending, timeoutMs) };
    await new Promise((resolve) => setTimeout(resolve, Math.min(WAIT_POLL_MS, leftMs)));
  }
}

/** True while a process is not yet up: not online, scheduled, stopped or errored, or online and not ready. */
function isComingUp(p: ProcessInfo): boolean {
  if (p.status === 'online') return p.type === 'service' && p.health?.ready === false;
  return p.status === 'starting' || p.status === 'waiting-restart';
}

function timeoutError(pending: ProcessInfo[], timeoutMs: number): VelosError {
  const byName = new Map<string, string>();
  for (const p of pending) {
    if (byName.has(p.name)) continue;
    const waits = p.waitingFor?.map((d) => `${d.name} (${d.condition}): ${d.state}`).join(', ');
    const what =
      waits !== undefined && waits !== ''
        ? `waits for ${waits}`
        : p.status === 'online'
          ? 'online, not ready'
          : p.status === 'waiting-restart'
            ? 'waiting to restart'
            : 'starting';
    byName.set(p.name, `${p.name} ${what}`);
  }
  return new VelosError(
    ErrorCodes.TIMEOUT,
    `--wait: not up after ${timeoutMs / 1000}s: ${[...byName.values()].join('; ')} (--wait-timeout sets how long)`,
    { data: { names: [...byName.keys()] } },
  );
}
