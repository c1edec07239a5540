import { suggestKey } from './key-suggestion.js';

/** How much an event matters: `info` for the ordinary, `warning`/`error`/`critical` for what someone may act on. */
export type EventSeverity = 'info' | 'warning' | 'error' | 'critical';

/** A value an event's fields may hold (flat, so every surface can print and index it). */
export type EventFieldValue = string | number | boolean | null;

/**
 * OBS-2: one event of the daemon's bus. `kind` is `<category>.<name>` (`process.exited`,
 * `job.finished`, `config.rolled_back`, `app.sync.done` for an app's own event…); `seq` grows by
 * one per event of a Velos home, across daemon restarts.
 */
export interface VelosEvent {
  seq: number;
  /** Epoch ms. */
  at: number;
  kind: string;
  severity: EventSeverity;
  /** The app it is about (absent for daemon-wide events). */
  app?: string;
  /**
   * The namespace `app` was in when the event was published: a namespace target finds the events of
   * apps deleted from it (absent for daemon-wide events and those of an app not listed then).
   */
  namespace?: string;
  /** The Velos id of the process it is about. */
  id?: number;
  /** One line a person reads. */
  message: string;
  fields?: Record<string, EventFieldValue>;
  /**
   * Set on a marker of a follow, not an event of the bus (kind `follow.skipped`): this many matching
   * events were left out here because they were no longer kept in `events.jsonl`, or were past the `limit`
   * of a follow resumed with one (`seq` is the newest left out); `message` says so.
   */
  skipped?: number;
}

/** The kind of a follow's marker of events it left out (`VelosEvent.skipped`); no event of the bus has it. */
export const FOLLOW_SKIPPED_KIND = 'follow.skipped';

/** What a producer gives the bus: the bus adds `seq`, and `at` when absent. */
export type EventInput = Omit<VelosEvent, 'seq' | 'at'> & { at?: number };

/**
 * The kinds the daemon raises, by category (apps add `app.<their name>`). Documented in
 * docs/events.md; a filter may name a whole kind, a category (`process`) or the part after
 * the category (`exited`).
 */
export const EVENT_KINDS = [
  'process.started',
  'process.online',
  'process.exited',
  'process.restarting',
  'process.errored',
  'process.stopped',
  'process.deleted',
  'process.health',
  'process.memory_limit',
  'process.watchdog',
  'process.watch_restart',
  'process.watch_failed',
  'process.scaled',
  'process.reload_step',
  'process.app_events_dropped',
  'process.primary_exited',
  'job.started',
  'job.finished',
  'log.anomaly',
  'log.error_burst',
  'config.applied',
  'config.rejected',
  'config.rolled_back',
  'component.status',
  'component.stale',
  'component.recovered',
  'component.removed',
  'alert.firing',
  'alert.resolved',
  'daemon.started',
  'daemon.stopping',
  'daemon.degraded',
  'daemon.recovered',
] as const;

/** A kind the daemon raises itself. */
export type DaemonEventKind = (typeof EVENT_KINDS)[number];

/** What `events` and `events.follow` select; every field narrows, absent fields select all. */
export interface EventsRequest {
  /** An app name, a process id, a namespace or `all`. */
  target?: string;
  /** Kinds, categories or names after the category (see `EVENT_KINDS`). */
  kinds?: string[];
  /** Epoch ms: events at or after it. */
  since?: number;
  /** Epoch ms: events at or before it. */
  until?: number;
  /** Events with a greater `seq` only (to resume a feed). */
  afterSeq?: number;
  /**
   * Events with a smaller `seq` only: the oldest `seq` of an answer with `hasMore` asks for the page
   * before it (`events` only, not `events.follow`).
   */
  beforeSeq?: number;
  /**
   * The newest `limit` events that match (default 100). A follow with `afterSeq` and no `limit` gets
   * every matching event after it, page by page, as long as `events.jsonl` keeps them.
   */
  limit?: number;
}

/** Answer of `events`: matching events oldest first; `hasMore` when the limit left older ones out. */
export interface EventsResult {
  events: VelosEvent[];
  hasMore: boolean;
}

/** An app's (or an outside component's) own event, posted through `events.emit`. */
export interface EmitEventRequest {
  /** The name after `app.`: letters, digits and `_ . : -`, 1–64 characters. */
  name: string;
  /** The app it comes from (a name that is listed). */
  app?: string;
  message?: string;
  severity?: EventSeverity;
  fields?: Record<string, EventFieldValue>;
}

/** Rule of app event names (`sync.done`, `payment-failed`); the kind is `app.<name>`. */
export const APP_EVENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;

/** The categories of the daemon's kinds (`process`, `job`, …), without `app`. */
const DAEMON_CATEGORIES: ReadonlySet<string> = new Set(
  EVENT_KINDS.map((kind) => kind.slice(0, kind.indexOf('.'))),
);
/** What a filter matches on: an event's kind and, for the aliases, its fields. */
export type EventToMatch = Pick<VelosEvent, 'kind' | 'fields'>;

/**
 * OBS-2's words for what no kind names alone, as filters: `restarted` selects `process.restarting`,
 * `unhealthy` the `process.health` events going to unhealthy, `recovered` those going back to
 * healthy from unhealthy or degraded (as well as `daemon.recovered`, by its name).
 */
export const EVENT_KIND_ALIASES: Readonly<Record<string, (event: EventToMatch) => boolean>> = {
  restarted: (event) => event.kind === 'process.restarting',
  unhealthy: (event) => event.kind === 'process.health' && event.fields?.to === 'unhealthy',
  recovered: (event) =>
    event.kind === 'process.health' &&
    event.fields?.to === 'healthy' &&
    (event.fields.from === 'unhealthy' || event.fields.from === 'degraded'),
};

/** The names after the category (`exited`, `restarting`…), which a word's start may stand for. */
const KIND_NAMES: readonly string[] = EVENT_KINDS.map((kind) => kind.slice(kind.indexOf('.') + 1));
/** Words taken as they are, never as the start of a name: kinds, categories and names. */
const EXACT_WORDS: ReadonlySet<string> = new Set<string>([
  ...EVENT_KINDS,
  ...DAEMON_CATEGORIES,
  'app',
  ...KIND_NAMES,
]);
/** What a kind filter may be besides an app event: a kind, a category, a name after the category or an alias. */
const KNOWN_FILTERS: ReadonlySet<string> = new Set<string>([
  ...EXACT_WORDS,
  ...Object.keys(EVENT_KIND_ALIASES),
]);

/**
 * Why a kind filter can select no event, or null when it can: a kind of `EVENT_KINDS`, a category
 * (`process`, …, `app`), a name after the category (`exited`), an alias of `EVENT_KIND_ALIASES`
 * (`restarted`), `app.<name>`, or an app event's dotted name (`sync.done`) whose first part is no daemon
 * category nor one edit from a long one, unless it is its plural (`alerts.sent`, not `alerts.firing`; the
 * filters `process.restarted`, `proces.crashed` are refused). A word ending
 * in a dot (`app.`) is no prefix and is refused. The reason ends with the word it was likely meant to be.
 * @example unknownEventKindReason('process.restarted') // 'unknown event kind "process.restarted": expected … (did you mean "process.restarting"?)'
 */
export function unknownEventKindReason(filter: string): string | null {
  if (canSelectEvents(filter)) return null;
  const meant = suggestEventKind(filter);
  return `unknown event kind ${JSON.stringify(filter.slice(0, 100))}: expected a kind (${EVENT_KINDS.join(', ')}), a category (${[...DAEMON_CATEGORIES, 'app'].join(', ')}), the name after it (exited, restarting…), an alias (${Object.keys(EVENT_KIND_ALIASES).join(', ')}) or app.<name>${meant === null ? '' : ` (${meant})`}`;
}

/**
 * The filters the words of a kind filter stand for, as `velos events --kind` and alert rules
 * (`event exit,errored`) take them: a word that `unknownEventKindReason` knows is kept, the start of
 * a name the daemon raises becomes that name (`exit` → `exited`, `restart` → `restarting`); or, as a
 * string, why a word selects no event.
 * @example expandEventKindWords(['exit', 'sync.done']) // ['exited', 'sync.done']
 */
export function expandEventKindWords(words: readonly string[]): string[] | string {
  const filters = new Set<string>();
  for (const word of words) {
    const prefixed =
      word === '' || EXACT_WORDS.has(word) ? [] : KIND_NAMES.filter((name) => name.startsWith(word));
    if (prefixed.length === 0) {
      const reason = unknownEventKindReason(word);
      if (reason !== null) return reason;
    }
    for (const filter of prefixed.length > 0 ? prefixed : [word]) filters.add(filter);
  }
  return [...filters];
}

/**
 * True when `event` is selected by one of `filters`: a whole kind, a category, the name after the
 * category, or an alias of `EVENT_KIND_ALIASES` (which looks at the event's fields too).
 * @example matchesEventKind({ kind: 'process.health', fields: { from: 'healthy', to: 'unhealthy' } }, ['unhealthy']) // true
 */
export function matchesEventKind(event: EventToMatch, filters: readonly string[]): boolean {
  if (filters.length === 0) return true;
  const kind = event.kind;
  const dot = kind.indexOf('.');
  const category = dot === -1 ? kind : kind.slice(0, dot);
  const name = dot === -1 ? kind : kind.slice(dot + 1);
  return filters.some(
    (filter) =>
      filter === kind ||
      filter === category ||
      filter === name ||
      (Object.hasOwn(EVENT_KIND_ALIASES, filter) && EVENT_KIND_ALIASES[filter]!(event)),
  );
}

/** Daemon categories long enough that one edit off is a typo rather than an app's own word (not `log`, `job`). */
const TYPO_CATEGORIES: readonly string[] = [...DAEMON_CATEGORIES].filter((category) => category.length >= 5);

/** The daemon category a dotted word's first part misspells by one edit (`proces` → `process`), or null. */
function misspeltCategory(category: string): string | null {
  return suggestKey(category, TYPO_CATEGORIES, 1);
}

/** True when `filter` is one `unknownEventKindReason` takes. */
function canSelectEvents(filter: string): boolean {
  if (KNOWN_FILTERS.has(filter)) return true;
  if (filter.endsWith('.')) return false;
  const dot = filter.indexOf('.');
  if (dot === -1) return false;
  const category = filter.slice(0, dot);
  if (category === 'app') return APP_EVENT_NAME.test(filter.slice(dot + 1));
  if (DAEMON_CATEGORIES.has(category) || !APP_EVENT_NAME.test(filter)) return false;
  const misspelt = misspeltCategory(category);
  return misspelt === null || isPluralOf(category, misspelt, filter.slice(dot + 1));
}

/**
 * True when `category` is the plural of the daemon category `meant` and `name` is none of its names:
 * `alerts.sent` is an app's own event (taken before categories one edit off were refused), where
 * `alerts.firing` is the kind `alert.firing` misspelt.
 */
function isPluralOf(category: string, meant: string, name: string): boolean {
  return (
    !meant.endsWith('s') && category.toLowerCase() === `${meant}s` && closeKindName(meant, name) === null
  );
}

/**
 * The name of a kind of `category` that `name` was likely meant to be: the one sharing the longest start
 * (`restarted` → `restarting`), or one or two edits away; null when none is that close.
 */
function closeKindName(category: string, name: string): string | null {
  const names = EVENT_KINDS.filter((kind) => kind.startsWith(`${category}.`)).map((kind) =>
    kind.slice(category.length + 1),
  );
  const longest = names.reduce(
    (best, candidate) =>
      commonStartLength(candidate, name) > commonStartLength(best, name) ? candidate : best,
    names[0]!,
  );
  return commonStartLength(longest, name) >= Math.min(5, longest.length) ? longest : suggestKey(name, names);
}

/**
 * What a refused word was likely meant to be, as `did you mean "…"?`: the word without its trailing dots,
 * a known word one or two edits away, or in the (corrected) category the name sharing the longest start
 * (`process.restarted` → `process.restarting`) or one or two edits away; a misspelt category with no such
 * name also names the word as an app's own event (`app.proces.crashed`).
 */
function suggestEventKind(filter: string): string | null {
  const word = filter.replace(/\.+$/, '');
  if (word !== filter && word !== '' && canSelectEvents(word)) return `did you mean ${JSON.stringify(word)}?`;
  const dot = word.indexOf('.');
  const meant = (text: string | null) => (text === null ? null : `did you mean ${JSON.stringify(text)}?`);
  if (dot === -1) return meant(suggestKey(word, [...KNOWN_FILTERS]));
  const given = word.slice(0, dot);
  const category = DAEMON_CATEGORIES.has(given) ? given : misspeltCategory(given);
  if (category === null) return meant(suggestKey(word, EVENT_KINDS));
  const close = closeKindName(category, word.slice(dot + 1));
  if (close !== null) return meant(`${category}.${close}`);
  if (category === given) return meant(category);
  return `did you mean ${JSON.stringify(category)}? an app's own event is ${JSON.stringify(`app.${word}`)}`;
}

/** How many characters `a` and `b` share from their start. */
function commonStartLength(a: string, b: string): number {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i += 1;
  return i;
}
