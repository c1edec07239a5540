import type { VelosEvent } from '@velos/core';
import type { ExitFact } from '@velos/log-engine';
import type { EventBus } from '../events/event-bus.js';

/** Exits of one app a summary reads from the event store at most (the newest). */
export const MAX_EXIT_FACTS = 1000;

/**
 * Exit reasons that are failures nobody asked for: they lower a summary's health score. A clean
 * exit, a restart by the user, a reload, a cron or watch restart, an inactivity restart, a re-adopted
 * run's unknown end and a cluster worker ended by its primary (told by the primary's own event) are not.
 */
const CRASH_REASONS: ReadonlySet<string> = new Set([
  'crash',
  'memory',
  'unhealthy',
  'spawn-error',
  'timeout',
]);

/**
 * The exits of `app` between `since` and `until` (epoch ms, either open) from the daemon's event
 * store (`process.exited`, and `process.restarting` to tell which were followed by a restart), for
 * the log engine's summary and exit context; only those of processes `ids` when given.
 */
export async function readExitFacts(
  bus: Pick<EventBus, 'query'>,
  app: string,
  range: { since?: number; until?: number },
  ids?: readonly number[],
): Promise<ExitFact[]> {
  const { events } = await bus.query(
    {
      kinds: ['process.exited', 'process.restarting'],
      ...(range.since === undefined ? {} : { since: range.since }),
      ...(range.until === undefined ? {} : { until: range.until }),
      limit: MAX_EXIT_FACTS * 2,
    },
    (event) => event.app === app && (ids === undefined || (event.id !== undefined && ids.includes(event.id))),
  );
  return exitFactsOf(events);
}

/** `process.exited` events as exit facts; an exit is a restart when a `process.restarting` event of its process has its time. */
export function exitFactsOf(events: readonly VelosEvent[]): ExitFact[] {
  // processEventsOf publishes an exit and the restart it leads to from one status change: one time
  const restarts = new Set<string>();
  for (const event of events)
    if (event.kind === 'process.restarting') restarts.add(`${event.id}@${event.at}`);
  const facts: ExitFact[] = [];
  for (const event of events) {
    if (event.kind !== 'process.exited') continue;
    const fields = event.fields ?? {};
    const code = typeof fields.code === 'number' ? fields.code : null;
    const signal = typeof fields.signal === 'string' ? fields.signal : null;
    const reason = typeof fields.reason === 'string' ? fields.reason : undefined;
    facts.push({
      ts: event.at,
      code,
      signal,
      ...(reason === undefined ? {} : { reason }),
      isCrash: reason !== undefined && CRASH_REASONS.has(reason),
      isRestart: restarts.has(`${event.id}@${event.at}`),
    });
  }
  return facts.slice(-MAX_EXIT_FACTS);
}
