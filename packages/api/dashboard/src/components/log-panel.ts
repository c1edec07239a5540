import type { LogLine, LogsResult, LogsSearchResult } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, problemSide, query, seg } from '../api.js';
import { lastCrashExit } from '../crash-exit.js';
import { formatClock, plural } from '../format.js';
import { batchLines } from '../line-batch.js';
import {
  type AppLogRules,
  createLineLeveler,
  isAtLeast,
  LEVELS,
  type Level,
  searchPattern,
  stripAnsi,
  textMatcher,
} from '../log-level.js';
import { type LogRulesRead, loadLogRules } from '../log-rules.js';
import { setParams } from '../router.js';
import { isSameRules, lastRulesChange } from '../rules-change.js';
import { searchNote } from '../search-note.js';
import { followLogs } from '../session.js';
import { getState, useDash } from '../store.js';
import { fillLineText, toggleLineText } from './line-text.js';

const KEPT_LINES = 2000;
const FIRST_LINES = 300;
/** The fewest first lines of each app on all apps, however many apps (`pm2 logs` shows 15). */
const FIRST_LINES_EACH_MIN = 20;
/** The most matches one search of the engine returns. */
const SEARCH_LIMIT = 500;
/** A crash-looping followed app reads its lines again at most this often (the last crash still counts). */
const CRASH_RESEARCH_GAP_MS = 2000;
/** The line each row shows, kept to give it a level again when the app's rules change. */
const rowLines = new WeakMap<Element, LogLine>();
const SPANS: Record<string, number> = { '15m': 15 * 60_000, '1h': 3_600_000, '24h': 86_400_000 };

/** Log lines of an app (or all apps): follow, level, text/regex and time range, all kept in the URL. */
export function LogPanel({
  target,
  params,
  showApp,
}: {
  target: string;
  params: URLSearchParams;
  showApp: boolean;
}) {
  const level = (params.get('level') as Level | null) ?? null;
  const text = params.get('q') ?? '';
  const span = params.get('since') ?? '';
  const isFollowing = params.get('follow') !== '0';
  const [count, setCount] = useState(0);
  const [note, setNote] = useState<string>('');
  const [error, setError] = useState<string>('');
  const [isLoading, setLoading] = useState(true);
  const list = useRef<HTMLDivElement>(null);
  const stickToEnd = useRef(true);
  const isSocketLive = useDash((s) => s.connection === 'live');
  // a config reload or `config set` that may have changed the rules: the newest such event's seq
  const rulesChange = useDash((s) => lastRulesChange(s.events, target));
  const seenRulesChange = useRef(rulesChange);
  // one app followed: its newest crash exit, after which the server raises the stderr lines just
  // before it to error (live lines are judged before the crash is known): they are read again
  const isSearchFollowed = target !== 'all' && isFollowing;
  const crashExit = useDash((s) => (isSearchFollowed ? lastCrashExit(s.events, target) : 0));
  const seenCrashExit = useRef(crashExit);
  const lastCrashResearch = useRef(0);
  /** Takes rules read again: restyles the rows in place, or reads the lines again under a level filter. */
  const applyRules = useRef<(read: LogRulesRead, of: string) => void>(() => {});
  const [rulesRound, setRulesRound] = useState(0);
  // What is typed stays the input's own until Enter: the lines re-render the panel many times a second.
  const [draft, setDraft] = useState(text);
  useEffect(() => setDraft(text), [text]);

  // What the rows shown were read for: a read again of the same (the socket dropped or came back)
  // that cannot reach the server leaves them as they are, the last lines known.
  const shownFor = useRef('');

  // The lines are drawn straight into the list (appended, oldest dropped), not diffed: a busy app
  // prints faster than a virtual DOM of thousands of rows can be compared.
  useEffect(() => {
    let isLive = true;
    let stop = () => {};
    const viewKey = JSON.stringify([target, level, text, span, isFollowing, showApp]);
    const fail = (message: string, cause?: unknown) => {
      setLoading(false);
      if (cause !== undefined && problemSide(cause) !== null && shownFor.current === viewKey) {
        setError(`${message}; the lines shown are the last ones read.`);
        return;
      }
      shownFor.current = '';
      list.current?.replaceChildren();
      setCount(0);
      setNote('');
      setError(message);
    };
    let matches: (line: string) => boolean;
    try {
      matches = textMatcher(text);
    } catch (problem) {
      // the same answer on all apps (filtered here) as on one (searched by the server)
      fail(`Cannot search: ${(problem as Error).message}`);
      return;
    }
    setError('');
    // the rules read now are as new as the events seen now; a later change reads them again
    seenRulesChange.current = lastRulesChange(getState().events, target);
    seenCrashExit.current = lastCrashExit(getState().events, target);
    // the engine's levels with the apps' `log_rules`, a stack frame taking its event's: the same lines
    // the server's filter keeps (made once the rules are read, before any line is shown)
    let levelOf = createLineLeveler();
    let rulesNow: AppLogRules = new Map();
    const rulesRead = loadLogRules(target).then(({ rules }) => {
      rulesNow = rules;
      levelOf = createLineLeveler(rules);
    });
    applyRules.current = ({ rules, jsonLogApps }, of) => {
      void rulesRead.then(() => {
        if (!isLive || of !== target || isSameRules(rules, rulesNow)) return;
        // under a level filter the rules decide which lines belong: read them again (the server's
        // search already uses the new rules); else the rows shown take the new rules' levels in place
        // (the server's levels were judged with the old ones), but for the lines of apps with JSON log
        // files: their level is the one they were captured with (a JSON line's own level field), which
        // the server's search keeps whatever the rules, as the page did when the line came
        if (level) {
          setRulesRound((n) => n + 1);
          return;
        }
        rulesNow = rules;
        levelOf = createLineLeveler(rules);
        const el = list.current;
        if (!el) return;
        // how many times the rows took new rules (the tests wait on it)
        el.dataset.restyled = String(Number(el.dataset.restyled ?? 0) + 1);
        for (const row of el.children) {
          const line = rowLines.get(row);
          if (line === undefined) continue;
          if (jsonLogApps.has(line.name)) {
            styleRow(row as HTMLElement, line, levelOf(line));
            continue;
          }
          const { lvl: _judged, ...plain } = line;
          styleRow(row as HTMLElement, line, levelOf(plain));
        }
      });
    };
    const show = (raw: LogLine[], isFiltered: boolean, isFirst: boolean) => {
      const el = list.current;
      if (!el) return;
      const rows: HTMLElement[] = [];
      // no row is made only to be dropped at once: a flood draws only the newest KEPT_LINES
      for (const l of raw.length > KEPT_LINES ? raw.slice(-KEPT_LINES) : raw) {
        // a skip marker is no line of the app: a notice whatever the filters, left out of the levels
        if (l.skipped !== undefined) {
          rows.push(skippedRow(l, showApp));
          continue;
        }
        const lineLevel = levelOf(l);
        // the server's search found the line at `level` or worse, which it may be by more than its own
        // words: the lines just before a crash exit are raised to error, as the summary counts them
        if (isFiltered) rows.push(lineRow(l, raisedTo(lineLevel, level), showApp));
        else if (isAtLeast(lineLevel, level) && matches(l.line)) rows.push(lineRow(l, lineLevel, showApp));
      }
      if (isFirst) el.replaceChildren(...rows);
      else el.append(...rows);
      shownFor.current = viewKey;
      while (el.childElementCount > KEPT_LINES) el.firstElementChild!.remove();
      if (stickToEnd.current) el.scrollTop = el.scrollHeight;
      setCount(el.childElementCount);
    };
    // The plain tail while following comes from the socket itself (its backlog, then live lines,
    // without a gap or a repeat between them); filtered or paused views read the REST API.
    if (isFollowing && !level && !text && !span && isSocketLive) {
      stickToEnd.current = true;
      show([], false, true);
      setNote('');
      // loading until the backlog's message (sent even when empty): no `0 lines` before it
      setLoading(true);
      let isBacklog = true;
      // the backlog is drawn at once, the live lines after it in batches
      const live = batchLines((more) => show(more, false, false), KEPT_LINES);
      void rulesRead.then(() => {
        if (!isLive) return;
        const unfollow = followLogs(target, firstLines(target), (more) => {
          if (!isBacklog) {
            live.add(more);
            return;
          }
          show(more, false, false);
          setLoading(false);
          isBacklog = false;
        });
        stop = () => {
          unfollow();
          live.stop();
        };
      });
      return () => {
        isLive = false;
        stop();
      };
    }
    setLoading(true);
    void Promise.all([load(target, level, text, span), rulesRead]).then(
      ([{ lines, note: loadNote, isFiltered }]) => {
        if (!isLive) return;
        stickToEnd.current = true;
        show(lines, isFiltered, true);
        setNote(loadNote);
        setLoading(false);
        if (!isFollowing) return;
        const live = batchLines((more) => show(more, false, false), KEPT_LINES);
        const unfollow = followLogs(target, 0, live.add);
        stop = () => {
          unfollow();
          live.stop();
        };
      },
      (problem: unknown) => {
        if (!isLive) return;
        fail(
          `Could not read the logs: ${problem instanceof Error ? problem.message : String(problem)}`,
          problem,
        );
      },
    );
    return () => {
      isLive = false;
      stop();
    };
  }, [target, level, text, span, isFollowing, showApp, isSocketLive, rulesRound]);

  // A crash exit while following one app under a level filter: the lines are read again, so the ones
  // the search raises to error show as they would in a new search (live and searched lines agree).
  // A crash loop reads them again at most every CRASH_RESEARCH_GAP_MS, then once for its newest crash.
  useEffect(() => {
    if (!isSearchFollowed || crashExit <= seenCrashExit.current) return;
    const research = (): void => {
      seenCrashExit.current = crashExit;
      lastCrashResearch.current = Date.now();
      setRulesRound((n) => n + 1);
    };
    const waitMs = lastCrashResearch.current + CRASH_RESEARCH_GAP_MS - Date.now();
    if (waitMs <= 0) {
      research();
      return;
    }
    const timer = setTimeout(research, waitMs);
    return () => clearTimeout(timer);
  }, [crashExit, isSearchFollowed]);

  // Reads the rules again (of this panel's apps only) when an event says they may have changed. A read
  // is applied unless one started later was applied first: a newer change does not drop a read under
  // way (events that come faster than the reads answer would leave the rows on the old rules).
  const rulesReads = useRef({ started: 0, applied: 0 });
  useEffect(() => {
    if (rulesChange <= seenRulesChange.current) return;
    seenRulesChange.current = rulesChange;
    const reads = rulesReads.current;
    const number = ++reads.started;
    void loadLogRules(target).then((read) => {
      if (number < reads.applied) return;
      reads.applied = number;
      applyRules.current(read, target);
    });
  }, [rulesChange, target]);

  return html`<div class="log-panel">
    <div class="log-tools" role="toolbar" aria-label="Log filters">
      <button type="button" class=${`btn small${isFollowing ? ' on' : ''}`} aria-pressed=${isFollowing} data-follow onClick=${() => setParams({ follow: isFollowing ? '0' : null })}>
        ${isFollowing ? '● Following' : '❚❚ Paused'}
      </button>
      <label>Level
        <select data-level value=${level ?? ''} onChange=${(e: Event) => setParams({ level: (e.target as HTMLSelectElement).value || null })}>
          <option value="">all</option>
          ${LEVELS.map((l) => html`<option value=${l}>${l === 'debug' ? 'debug' : `${l} and worse`}</option>`)}
        </select>
      </label>
      <label>Range
        <select value=${span} onChange=${(e: Event) => setParams({ since: (e.target as HTMLSelectElement).value || null })}>
          <option value="">latest lines</option>
          <option value="15m">last 15 min</option>
          <option value="1h">last hour</option>
          <option value="24h">last 24 h</option>
        </select>
      </label>
      <input type="search" class="log-search" data-filter data-log-search placeholder="Text or /regex/  ( / )" value=${draft}
        onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)}
        onChange=${(e: Event) => setParams({ q: (e.target as HTMLInputElement).value || null })} aria-label="Search the lines (text or regular expression)" />
      <span class="muted log-count num">${isLoading ? 'loading…' : plural(count, 'line')}</span>
    </div>
    ${error && html`<p class="log-note bad" role="alert" data-log-error>${error}</p>`}
    ${note && html`<p class="log-note muted" data-log-note>${note}</p>`}
    ${!isLoading && !error && count === 0 ? html`<p class="empty-note">No lines${level || text ? ' match these filters' : ' yet'}.</p>` : null}
    <div class="log-lines" ref=${list} tabindex="0" aria-label="Log lines"
      onClick=${(e: Event) => toggleLineText(e.target, fullLineText)}
      onScroll=${(e: Event) => {
        const el = e.currentTarget as HTMLElement;
        stickToEnd.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40;
      }}></div>
  </div>`;
}

/**
 * How many of the newest lines of each app the first read asks for: the server answers that many of
 * every app of `all`, so with many apps the panel's KEPT_LINES are shared among them (100 apps: 20
 * each, 2,000 lines, not 30,000 and 3.7 MB of which the panel kept the newest 2,000).
 */
export function firstLines(target: string, appCount = countApps()): number {
  if (target !== 'all' || appCount <= 0) return FIRST_LINES;
  return Math.min(FIRST_LINES, Math.max(FIRST_LINES_EACH_MIN, Math.ceil(KEPT_LINES / appCount)));
}

function countApps(): number {
  return new Set([...getState().processes.values()].map((p) => p.name)).size;
}

/** One line as a row element (text set as text, never as markup). */
function lineRow(l: LogLine, level: Level, showApp: boolean): HTMLElement {
  const row = document.createElement('div');
  rowLines.set(row, l);
  const cell = (className: string, value: string, tag = 'span') => {
    const el = document.createElement(tag);
    el.className = className;
    el.textContent = value;
    row.append(el);
    return el;
  };
  cell('ll-t', formatClock(l.ts), 'time');
  if (showApp) cell('ll-app', l.name).title = l.name;
  cell('ll-lvl', '');
  // a long line shows its start and a toggle; the search and the filters read the whole raw line
  fillLineText(cell('ll-x', ''), visibleText(l.line));
  styleRow(row, l, level);
  return row;
}

/** The whole text a line's row shows once opened (undefined for a row that is no line's). */
function fullLineText(row: Element): string | undefined {
  const line = rowLines.get(row);
  return line === undefined ? undefined : visibleText(line.line);
}

/** Other C0 controls than the tab, and DEL: a terminal acts on them, a page would show them as boxes. */
const CONTROLS = /[\x00-\x08\x0b-\x1f\x7f]/g;

/**
 * A line as the page shows it: without its terminal colours and other escape sequences (a logger's
 * `\x1b[31m` would show as `[31m` around the text) nor control characters; searches still read the line.
 */
function visibleText(line: string): string {
  return stripAnsi(line).replace(CONTROLS, '');
}

/** `level`, or `floor` when that is more severe (no floor: `level`). */
function raisedTo(level: Level, floor: Level | null): Level {
  return floor !== null && !isAtLeast(level, floor) ? floor : level;
}

/** Gives a line's row the classes and the level word of `level`. */
function styleRow(row: HTMLElement, l: LogLine, level: Level): void {
  row.className = `ll lvl-${level}${l.stream === 'err' ? ' err' : ''}`;
  row.dataset.level = level;
  const word = row.querySelector('.ll-lvl');
  if (word) word.textContent = level;
}

/** A skip marker (`LogLine.skipped`) as a dim notice row: `… 1,234 lines skipped`. */
function skippedRow(l: LogLine, showApp: boolean): HTMLElement {
  const row = document.createElement('div');
  const count = l.skipped ?? 0;
  row.className = 'll ll-skip';
  row.dataset.skipped = String(count);
  const text = document.createElement('span');
  text.className = 'll-x';
  text.textContent = `… ${count.toLocaleString('en-US')} ${count === 1 ? 'line' : 'lines'} skipped${showApp ? ` (${l.name})` : ''}`;
  row.title = 'The live feed fell behind and left these lines out; the log files hold them.';
  row.append(text);
  return row;
}

/**
 * Reads the first lines: the engine's search with filters (one app or all: the server merges the
 * apps' matches by time, within its limit), else the tail.
 */
async function load(
  target: string,
  level: Level | null,
  text: string,
  span: string,
): Promise<{ lines: LogLine[]; note: string; isFiltered: boolean }> {
  const since = SPANS[span] ? Date.now() - SPANS[span] : undefined;
  if (level || text || since) {
    const pattern = searchPattern(text);
    const answer = await api<LogsSearchResult>(
      `/logs/${seg(target)}/search${query({ pattern, ignoreCase: pattern === undefined ? undefined : true, level, since, limit: SEARCH_LIMIT })}`,
    );
    return { lines: answer.lines, isFiltered: true, note: searchNote(answer, SEARCH_LIMIT) };
  }
  const answer = await api<LogsResult>(`/logs/${seg(target)}${query({ lines: firstLines(target) })}`);
  const cut = answer.cut ? `${answer.cut.omittedLines} older lines left out.` : '';
  return { lines: answer.lines, isFiltered: false, note: cut };
}
