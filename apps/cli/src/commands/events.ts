import type { VelosClient } from '@velos/client';
import {
  type EventsRequest,
  expandEventKindWords,
  parseTimeBound,
  timeBoundProblem,
  type VelosEvent,
} from '@velos/core';
import type { CommandInput } from '../command-spec.js';
import type { CommandContext } from '../context.js';
import { lossNotices } from '../follow/loss-notices.js';
import { followResumably } from '../follow/resumable-follow.js';
import { formatEventLine, toAiEvent } from '../output/events.js';
import { writeStdout } from '../output/stdout-drain.js';
import { usageError } from '../parse-argv.js';

/** Most events one answer may hold (the daemon's bound). */
const MAX_LIMIT = 10_000;
/** The events an answer holds when no --limit is given (the daemon's default). */
const DEFAULT_EVENTS_LIMIT = 100;

/**
 * `velos events [target]`: the newest events of the bus that match the filters, oldest first; with
 * `--follow` they are followed by new ones until Ctrl-C or SIGTERM. `velos events emit …` posts one.
 */
export async function runEvents(ctx: CommandContext, input: CommandInput): Promise<void> {
  if (input.args[0] === 'emit') {
    await (await import('./events-emit.js')).runEventsEmit(ctx, input);
    return;
  }
  if (input.args.length > 1) throw usageError(`unexpected argument "${input.args[1]}"`, 'events');
  for (const name of ['app', 'severity', 'message'] as const) {
    if (input.options[name] !== undefined)
      throw usageError(`--${name} is an option of velos events emit`, 'events');
  }
  if (input.options.follow && input.options.until !== undefined) {
    throw usageError('--until cannot be used with --follow (new events are later)', 'events');
  }
  const request = eventsRequest(input, Date.now());
  // a promise while stdout is full: a follow reads nothing more from the daemon until it drained
  const write = (batch: VelosEvent[]): Promise<void> | undefined => {
    // a follow's marker of skipped events (`skipped`) is a line on stderr in text; JSON and --ai keep it
    const events = ctx.mode === 'text' ? withoutSkipMarkers(batch) : batch;
    if (events.length === 0) return undefined;
    const now = Date.now();
    const lines = events.map((event) =>
      ctx.mode === 'json'
        ? JSON.stringify(event)
        : ctx.mode === 'ai'
          ? JSON.stringify(toAiEvent(event))
          : formatEventLine(event, ctx.colors, now),
    );
    return writeStdout(`${lines.join('\n')}\n`);
  };
  // a follow reconnects after a lost daemon but never starts one again (a `velos kill` stands)
  const client = await ctx.client({ autoStart: 'once' });
  if (!input.options.follow) {
    const result = await client.events(request);
    if (ctx.mode === 'json') ctx.printJson(result.events);
    else if (ctx.mode === 'ai') ctx.printJson(result.events.map((event) => toAiEvent(event)));
    else if (result.events.length === 0) ctx.print('no events');
    else await write(result.events);
    // in every mode, as logs says its cuts: --ai and --json read as every event there was
    if (result.hasMore) {
      // fewer than asked: the answer is as large as one may be (8 MiB of events)
      const isFull = result.events.length < (request.limit ?? DEFAULT_EVENTS_LIMIT);
      process.stderr.write(
        isFull
          ? `velos events: older events left out (showing the newest ${result.events.length}, as many as one answer holds: 8 MiB; narrow with --since, --until, --kind)\n`
          : `velos events: older events left out (showing the newest ${result.events.length}; see --limit, --since)\n`,
      );
    }
    return;
  }
  await followEvents(client, request, write);
}

/**
 * `--follow`: new events until Ctrl-C or SIGTERM. When the daemon is replaced (`velos update`) or dies,
 * it waits for the next one and goes on after the last event shown (`afterSeq`: none lost, none
 * twice); when the daemon stops cleanly (`velos kill`) it says so and ends.
 */
async function followEvents(
  client: VelosClient,
  request: EventsRequest,
  write: (events: VelosEvent[]) => Promise<void> | undefined,
): Promise<void> {
  const startedAt = Date.now();
  let lastSeq: number | undefined;
  const notices = lossNotices('events');
  const follow = followResumably<VelosEvent>({
    open: (isResume) => {
      if (!isResume) return client.followEvents(request);
      // no limit: the daemon gives every event missed, page by page (as long as events.jsonl keeps them)
      const { since, limit: _limit, ...rest } = request;
      const after: EventsRequest =
        lastSeq === undefined
          ? { since: Math.max(since ?? 0, startedAt), afterSeq: 0 }
          : { afterSeq: lastSeq };
      return client.followEvents({ ...rest, ...after });
    },
    probe: () => client.ping(),
    onItems: (events) => {
      lastSeq = events.at(-1)?.seq ?? lastSeq;
      return write(events);
    },
    onLost: (error) => notices.onLost(error),
    onResumed: () => notices.onResumed(),
  });
  const stop = () => follow.cancel();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  try {
    if ((await follow.done) === 'ended') {
      process.stderr.write('velos events: the Velos daemon stopped; nothing more to follow\n');
    }
  } finally {
    notices.stop();
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}

/**
 * The events of a follow's batch without its markers of skipped events (`VelosEvent.skipped`: the
 * follow fell behind by more than the daemon reads back), which go to stderr as one line each.
 */
function withoutSkipMarkers(events: VelosEvent[]): VelosEvent[] {
  if (!events.some((event) => event.skipped !== undefined)) return events;
  for (const marker of events)
    if (marker.skipped !== undefined) process.stderr.write(`velos events: ${marker.message}\n`);
  return events.filter((event) => event.skipped === undefined);
}

/** The request of `velos events`' options; `now` anchors `--since`/`--until` durations. */
export function eventsRequest(input: CommandInput, now: number): EventsRequest {
  const request: EventsRequest = {};
  const target = input.args[0];
  if (target !== undefined) request.target = target;
  const since = input.options.since;
  if (typeof since === 'string') request.since = timeBound('--since', since, now);
  const until = input.options.until;
  if (typeof until === 'string') request.until = timeBound('--until', until, now);
  if (request.since !== undefined && request.until !== undefined && request.since > request.until) {
    throw usageError('--since is later than --until', 'events');
  }
  const kind = input.options.kind;
  if (typeof kind === 'string') request.kinds = kindFilters(kind);
  const limit = input.options.limit;
  if (typeof limit === 'string') {
    if (!/^\d+$/.test(limit) || Number(limit) < 1 || Number(limit) > MAX_LIMIT) {
      throw usageError(
        `--limit: expected a whole number from 1 to ${MAX_LIMIT}, got ${JSON.stringify(limit)}`,
        'events',
      );
    }
    request.limit = Number(limit);
  }
  return request;
}

/** A time bound: a duration before `now` (`90s`, `10m`, `1h`, `2d`) or an ISO date (`2026-01-02`, `2026-01-02T03:04:05Z`). */
export function timeBound(option: string, text: string, now: number): number {
  const at = parseTimeBound(text, now);
  if (typeof at !== 'number') throw usageError(timeBoundProblem(option, text), 'events');
  return at;
}

/**
 * The filters of `--kind a,b`: each is a kind (`process.exited`), a category (`process`), a name
 * (`exited`), or the start of a name the daemon raises (`exit` → `exited`, `restart` → `restarting`),
 * as alert rules take them (`expandEventKindWords`); a word no event can have is refused.
 */
export function kindFilters(text: string): string[] {
  const words = text
    .split(',')
    .map((word) => word.trim())
    .filter((word) => word.length > 0);
  if (words.length === 0)
    throw usageError('--kind: expected kinds separated by commas, e.g. exited,errored', 'events');
  if (words.some((word) => word.length > 100))
    throw usageError('--kind: a kind has at most 100 characters', 'events');
  const filters = expandEventKindWords(words);
  if (typeof filters === 'string') throw usageError(`--kind: ${filters}`, 'events');
  return filters;
}
