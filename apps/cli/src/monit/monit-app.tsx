import type { ProcessInfo } from '@velos/core';
import { Box, type Key, Text, useApp, useInput } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState, useSyncExternalStore } from 'react';
import { displayWidth } from '../output/display-width.js';
import { EventsPane } from './events-pane.js';
import { Footer, type Notice, type Prompt } from './footer.js';
import { rowCells, screenSafe } from './format.js';
import { Header, HostBars } from './header.js';
import { HelpView } from './help-view.js';
import { keysOf } from './key-chunks.js';
import { computeLayout, scrollOffset } from './layout.js';
import { LogPane } from './log-pane.js';
import type { MonitAction, MonitStore } from './monit-store.js';
import { ProcessRow, TableHeader, tableColumns } from './process-table.js';
import { SelectedPanel } from './selected-panel.js';
import { selectionIndex, visibleProcesses } from './selection.js';
import { useScreenSize } from './use-screen-size.js';

/** What the user chose: selection, view, filter, the open prompt, and the last action's outcome. */
interface UiState {
  selectedId: number | null;
  view: 'main' | 'logs' | 'help';
  filter: string;
  prompt: Prompt;
  notice: Notice;
  /** The full-screen logs scrolled back: the log it holds still, and how many of its lines its last one had received. */
  logAnchor: { target: string; received: number } | null;
}

const INITIAL_UI: UiState = {
  selectedId: null,
  view: 'main',
  filter: '',
  prompt: null,
  notice: null,
  logAnchor: null,
};

const ACTION_VERBS: Record<MonitAction, [string, string]> = {
  restart: ['restarting', 'restarted'],
  reload: ['reloading', 'reloaded'],
  stop: ['stopping', 'stopped'],
  delete: ['deleting', 'deleted'],
};

/** How long an action's outcome (or `delete cancelled`) stays in the footer before the keys come back. */
const NOTICE_MS = 8000;

/** The whole `velos monit` screen over a started store; `size` fixes the screen size, `noticeMs` the footer's notice time (tests). */
export function MonitApp(props: {
  store: MonitStore;
  size?: { columns: number; rows: number };
  noticeMs?: number;
}) {
  const { store } = props;
  const data = useSyncExternalStore(store.subscribe, store.getData);
  const { columns, rows } = useScreenSize(props.size);
  const { exit } = useApp();
  // The key handler reads the UI state from a ref: keys that arrive before React re-renders
  // (typed fast, pasted, sent by tmux) must see the state the previous key left.
  const [ui, setUiState] = useState<UiState>(INITIAL_UI);
  const uiRef = useRef(ui);
  const setUi = useCallback((patch: Partial<UiState>) => {
    uiRef.current = { ...uiRef.current, ...patch };
    setUiState(uiRef.current);
  }, []);
  const { selectedId, view, filter, prompt, notice } = ui;
  // The table's scroll: the first row shown, moved only as far as keeps the selection on screen.
  const offsetRef = useRef(0);

  // The selection's row when last drawn: the row that takes the place of a deleted process is selected next.
  const lastIndexRef = useRef(0);

  const shown = useMemo(() => visibleProcesses(data.processes ?? [], filter), [data.processes, filter]);
  const instanceCounts = useMemo(() => {
    const counts = new Map<string, number>();
    for (const p of data.processes ?? []) counts.set(p.name, (counts.get(p.name) ?? 0) + 1);
    return counts;
  }, [data.processes]);
  // every process's name, not the filter's: the columns do not move while a filter is typed
  const longestName = useMemo(
    () =>
      (data.processes ?? []).reduce(
        (longest, p) =>
          Math.max(longest, displayWidth(rowCells(p, (instanceCounts.get(p.name) ?? 0) > 1).name)),
        0,
      ),
    [data.processes, instanceCounts],
  );
  // ids and restart counts past 999 widen their columns rather than be cut (`10…`)
  const longestId = useMemo(
    () => (data.processes ?? []).reduce((longest, p) => Math.max(longest, String(p.id).length), 0),
    [data.processes],
  );
  const longestRestarts = useMemo(
    () => (data.processes ?? []).reduce((longest, p) => Math.max(longest, String(p.restarts).length), 0),
    [data.processes],
  );
  const table = useMemo(
    () => tableColumns(columns, longestName, longestId, longestRestarts),
    [columns, longestName, longestId, longestRestarts],
  );
  const index = selectionIndex(shown, data.processes ?? [], selectedId, lastIndexRef.current);
  lastIndexRef.current = index;
  const selected = shown[index] ?? null;
  const selectedTarget = selected ? String(selected.id) : null;
  useEffect(() => {
    store.select(selectedTarget);
    // a scroll holds a place in one follow of the logs: a new selection follows its own from the start
    if (uiRef.current.logAnchor !== null) setUi({ logAnchor: null });
  }, [store, selectedTarget, setUi]);

  // A restart or reload whose process was still starting when it answered (a cluster instance): its
  // outcome waits for the table to show the new pid.
  const awaitingRef = useRef<Awaiting | null>(null);
  const act = (action: MonitAction, p: ProcessInfo) => {
    const label = `${p.name}#${p.instance}`;
    const [doing, done] = ACTION_VERBS[action];
    awaitingRef.current = null;
    setUi({ notice: { text: `${doing} ${label}…`, color: 'yellow', isPending: true } });
    store.act(action, String(p.id)).then(
      (result) => {
        if (action !== 'restart' && action !== 'reload') {
          setUi({ notice: { text: `${done} ${label}`, color: 'green' } });
          return;
        }
        const outcome = result.length === 0 ? 'pid -' : settledOutcome(result, null);
        if (outcome !== null) {
          setUi({ notice: { text: `${done} ${label} (${outcome})`, color: 'green' } });
          return;
        }
        awaitingRef.current = { ids: result.map((r) => r.id), oldPid: p.pid, label, action };
        setUi({ notice: { text: `${doing} ${label}… (starting)`, color: 'yellow', isPending: true } });
        settleAwaiting(store.getData().processes);
      },
      (error: unknown) => {
        setUi({ notice: { text: `${action} ${label} failed: ${(error as Error).message}`, color: 'red' } });
      },
    );
  };

  /** Ends the wait of a restart for its new pid once the table shows it (or shows the process failed). */
  const settleAwaiting = useCallback(
    (processes: ProcessInfo[] | null) => {
      const awaiting = awaitingRef.current;
      if (!awaiting || !processes) return;
      const rows = awaiting.ids.map((id) => processes.find((p) => p.id === id));
      const [, done] = ACTION_VERBS[awaiting.action];
      if (rows.some((row) => row === undefined)) {
        awaitingRef.current = null;
        setUi({ notice: { text: `${done} ${awaiting.label}; it has left the list`, color: 'yellow' } });
        return;
      }
      const failed = rows.find((row) => row!.status === 'errored' || row!.status === 'stopped');
      if (failed) {
        awaitingRef.current = null;
        setUi({
          notice: { text: `${awaiting.action} ${awaiting.label}: it is ${failed.status}`, color: 'red' },
        });
        return;
      }
      const outcome = settledOutcome(rows as ProcessInfo[], awaiting.oldPid);
      if (outcome !== null) {
        awaitingRef.current = null;
        setUi({ notice: { text: `${done} ${awaiting.label} (${outcome})`, color: 'green' } });
      }
    },
    [setUi],
  );
  useEffect(() => settleAwaiting(data.processes), [data.processes, settleAwaiting]);

  // once quitting, the keys after q in the same read do nothing (a `qr` restarts nothing)
  const isQuittingRef = useRef(false);
  const quit = () => {
    isQuittingRef.current = true;
    exit();
  };
  const onKey = (input: string, key: Key) => {
    const now = uiRef.current;
    const all = store.getData().processes ?? [];
    const list = visibleProcesses(all, now.filter);
    const at = selectionIndex(list, all, now.selectedId, lastIndexRef.current);
    const current = list[at] ?? null;
    if (now.prompt?.kind === 'confirm') {
      const target = now.prompt.target;
      setUi({ prompt: null });
      const p = list.find((x) => String(x.id) === target);
      if (input !== 'y' && input !== 'Y') setUi({ notice: { text: 'delete cancelled', color: 'yellow' } });
      else if (p) act('delete', p);
      else setUi({ notice: { text: `${now.prompt.label} has left the list already`, color: 'yellow' } });
      return;
    }
    const move = (delta: number) => {
      const next = list[Math.min(list.length - 1, Math.max(0, at + delta))];
      if (next) setUi({ selectedId: next.id });
    };
    if (now.prompt?.kind === 'filter') {
      const text = now.prompt.text;
      // the arrows pick among the matches while the filter is typed (letters go to the filter)
      if (key.upArrow || key.downArrow) move(key.upArrow ? -1 : 1);
      else if (key.pageUp || key.pageDown) move(key.pageUp ? -10 : 10);
      else if (key.return) setUi({ prompt: null });
      else if (key.escape) setUi({ prompt: null, filter: '', selectedId: current?.id ?? now.selectedId });
      else if (key.backspace || key.delete)
        setUi({ prompt: { kind: 'filter', text: text.slice(0, -1) }, filter: text.slice(0, -1) });
      else if (input && !key.ctrl && !key.meta)
        setUi({ prompt: { kind: 'filter', text: text + input }, filter: text + input });
      return;
    }
    if (now.view === 'help') return setUi({ view: 'main' });
    if (now.view === 'logs' && (key.escape || input === 'q' || input === 'h' || key.leftArrow)) {
      return setUi({ view: 'main', logAnchor: null });
    }
    if (now.view === 'logs' && (key.pageUp || key.pageDown)) return scrollLogs(now, key.pageUp ? -1 : 1);
    if (input === 'q') quit();
    else if (key.upArrow || input === 'k') move(-1);
    else if (key.downArrow || input === 'j') move(1);
    else if (key.pageUp) move(-10);
    else if (key.pageDown) move(10);
    else if (key.home || input === 'g') move(-list.length);
    else if (key.end || input === 'G') move(list.length);
    // with nothing selected (no process, or none matches the filter) there are no logs to open
    else if ((key.return || input === 'l') && current) setUi({ view: 'logs' });
    else if (input === '?') setUi({ view: 'help' });
    else if (input === '/') setUi({ prompt: { kind: 'filter', text: now.filter } });
    // the process selected among the matches stays selected once every process shows again
    else if (key.escape && now.filter) setUi({ filter: '', selectedId: current?.id ?? now.selectedId });
    else if (input === 'a' && current) {
      if (store.getData().summary) store.clearSummary();
      else void store.loadSummary(current.name);
    } else if (current && (input === 'r' || input === 'R' || input === 's')) {
      act(input === 'r' ? 'restart' : input === 'R' ? 'reload' : 'stop', current);
    } else if (current && input === 'd') {
      setUi({
        prompt: { kind: 'confirm', target: String(current.id), label: `${current.name}#${current.instance}` },
      });
    }
  };
  /**
   * Scrolls the full-screen logs a page back (-1) or on (1), keeping a line of the page before; on past
   * the newest line they follow again.
   */
  const scrollLogs = (now: UiState, direction: -1 | 1) => {
    const { logs } = store.getData();
    if (logs.target === null) return;
    const page = logsViewHeight(rows);
    const held = now.logAnchor?.target === logs.target ? now.logAnchor.received : logs.received;
    const oldest = logs.received - logs.lines.length;
    const next = Math.max(
      held + direction * Math.max(1, page - 1),
      oldest + Math.min(page, logs.lines.length),
    );
    setUi({ logAnchor: next >= logs.received ? null : { target: logs.target, received: next } });
    // paged to the oldest line held: read older ones (the page stays where it is; PgUp again goes on)
    if (direction < 0 && next <= oldest + Math.min(page, logs.lines.length)) store.loadOlderLogs();
  };
  // keys that arrived in one read come as one string: each is handled in turn, on the state the one
  // before left (Ctrl-C among them quits, as ink does for a Ctrl-C alone)
  useInput((input, key) => {
    for (const [char, charKey] of keysOf(input, key)) {
      if (isQuittingRef.current) return;
      if (char === 'c' && charKey.ctrl) quit();
      else onKey(char, charKey);
    }
  });

  const noticeMs = props.noticeMs ?? NOTICE_MS;
  useEffect(() => {
    if (!notice || notice.isPending) return;
    const timer = setTimeout(() => setUi({ notice: null }), noticeMs);
    return () => clearTimeout(timer);
  }, [notice, noticeMs, setUi]);

  const height = screenHeight(rows);
  const title = selected ? screenSafe(`${selected.name}#${selected.instance} (id ${selected.id})`) : '';
  const footer = <Footer prompt={prompt} notice={notice} filter={filter} view={view} width={columns} />;
  if (view === 'help') {
    return (
      <Box flexDirection="column" height={height} width={columns}>
        <HelpView height={height} />
      </Box>
    );
  }
  if (view === 'logs') {
    return (
      <Box flexDirection="column" height={height} width={columns}>
        <LogPane
          title={title}
          logs={data.logs}
          summary={data.summary}
          height={logsViewHeight(rows)}
          width={columns}
          anchor={ui.logAnchor?.target === data.logs.target ? ui.logAnchor.received : null}
        />
        {footer}
      </Box>
    );
  }
  const layout = computeLayout(height, shown.length);
  const first = scrollOffset(index, layout.tableRows, shown.length, offsetRef.current);
  offsetRef.current = first;
  return (
    <Box flexDirection="column" height={height} width={columns}>
      <Header
        ping={data.ping}
        metrics={data.metrics}
        health={data.health}
        processes={data.processes}
        error={data.error}
        width={columns}
      />
      {layout.hasHostBars ? <HostBars host={data.metrics?.host ?? null} width={columns} /> : null}
      {layout.hasTableHeader ? (
        <TableHeader
          layout={table}
          width={columns}
          window={
            shown.length > layout.tableRows
              ? {
                  first: first + 1,
                  last: Math.min(shown.length, first + layout.tableRows),
                  total: shown.length,
                }
              : null
          }
        />
      ) : null}
      <Box flexDirection="column" height={layout.tableRows}>
        {data.processes === null ? <Text dimColor>connecting…</Text> : null}
        {data.processes !== null && shown.length === 0 ? (
          <Text dimColor wrap="truncate">
            {filter ? `no process matches "${filter}"` : 'no processes (velos start <script>)'}
          </Text>
        ) : null}
        {shown.slice(first, first + layout.tableRows).map((p) => (
          <ProcessRow
            key={p.id}
            cells={rowCells(p, (instanceCounts.get(p.name) ?? 0) > 1)}
            isSelected={p.id === selected?.id}
            layout={table}
          />
        ))}
      </Box>
      {layout.hasPanel ? <SelectedPanel process={selected} history={data.history} width={columns} /> : null}
      {layout.logLines > 0 ? (
        <LogPane
          title={title}
          logs={data.logs}
          summary={data.summary}
          height={layout.logLines}
          width={columns}
        />
      ) : null}
      <EventsPane events={data.events} height={layout.eventLines} width={columns} />
      {footer}
    </Box>
  );
}

/** The lines monit draws on a terminal of `rows`: one less, so that ink never has to clear the whole screen. */
function screenHeight(rows: number): number {
  return Math.max(3, rows - 1);
}

/** The log lines of the full-screen logs (its title and the footer aside). */
function logsViewHeight(rows: number): number {
  return Math.max(1, screenHeight(rows) - 2);
}

/**
 * What a restart or reload ended in, for the footer (`pid 4321`; a job waiting for its schedule has
 * none and needs none: `scheduled, waits for its next run`), or null while a row is still starting
 * (no pid yet, or still `oldPid`).
 */
function settledOutcome(rows: readonly ProcessInfo[], oldPid: number | null): string | null {
  const pids: number[] = [];
  let scheduled = 0;
  for (const row of rows) {
    if (row.pid === null && row.status === 'scheduled') scheduled += 1;
    else if (row.pid !== null && row.pid !== oldPid) pids.push(row.pid);
    else return null;
  }
  const parts = [
    pids.length > 0 ? `pid ${pids.join(', ')}` : '',
    scheduled > 0 ? 'scheduled, waits for its next run' : '',
  ];
  return parts.filter(Boolean).join('; ');
}

/** A restart or reload that answered before its process had a pid: what to tell once it has one. */
interface Awaiting {
  ids: number[];
  oldPid: number | null;
  label: string;
  action: MonitAction;
}
