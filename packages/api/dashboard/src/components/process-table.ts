import type { ProcessInfo } from '@velos/core';
import { html } from 'htm/preact';
import { useRef, useState } from 'preact/hooks';
import { setParams } from '../router.js';
import { appLabel, groupByApp, summaryBucket } from '../status.js';
import { useDash } from '../store.js';
import { AppRows } from './process-row.js';
import { useNow } from './use-now.js';
import { useRestartLoops } from './use-restart-loops.js';

type SortKey = 'name' | 'cpu' | 'memory' | 'restarts';

const COLUMNS: { label: string; key?: SortKey; className: string }[] = [
  { label: 'App', key: 'name', className: 'c-name' },
  { label: 'Status', className: 'c-status' },
  { label: 'Health', className: 'c-health opt' },
  { label: 'CPU', key: 'cpu', className: 'c-num' },
  { label: 'Memory · 15 min', key: 'memory', className: 'c-mem' },
  { label: 'Restarts', key: 'restarts', className: 'c-num' },
  { label: 'Uptime', className: 'c-num opt' },
  { label: 'Last exit', className: 'c-exit opt' },
  { label: '', className: 'c-actions' },
];

/**
 * The process table: one row per app (instances expandable), filtered by name and state, sorted
 * by a column; the order holds still while the pointer is over the table.
 */
export function ProcessTable({ filter, show, sort }: { filter: string; show: string | null; sort: SortKey }) {
  const processes = useDash((s) => s.processes);
  const history = useDash((s) => s.history);
  const outcomes = useDash((s) => s.outcomes);
  const scope = useDash((s) => s.scope);
  const now = useNow(1000);
  const loops = useRestartLoops();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  const frozenOrder = useRef<string[] | null>(null);
  const lastOrder = useRef<string[]>([]);

  const groups = groupByApp(processes.values());
  let names = [...groups.keys()].filter((name) => {
    if (filter && !name.toLowerCase().includes(filter.toLowerCase())) return false;
    return !show || summaryBucket(appLabel(groups.get(name)!, loops)) === show;
  });
  names = sortNames(names, groups, sort);
  if (frozenOrder.current) {
    const position = new Map(frozenOrder.current.map((n, i) => [n, i]));
    names.sort((a, b) => (position.get(a) ?? 1e9) - (position.get(b) ?? 1e9));
  }
  lastOrder.current = names;

  const toggle = (name: string) => {
    const next = new Set(expanded);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setExpanded(next);
  };
  return html`<div class="table-wrap">
    <table class="ptable" onMouseEnter=${() => (frozenOrder.current = lastOrder.current)} onMouseLeave=${() => (frozenOrder.current = null)}>
      <thead>
        <tr>
          ${COLUMNS.map(
            (
              c,
            ) => html`<th class=${c.className} scope="col" aria-sort=${c.key && c.key === sort ? (c.key === 'name' ? 'ascending' : 'descending') : undefined}>
              ${c.key ? html`<button type="button" class="th-sort" onClick=${() => setParams({ sort: c.key === 'name' ? null : c.key })}>${c.label}${c.key === sort ? (c.key === 'name' ? ' ↑' : ' ↓') : ''}</button>` : c.label}
            </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${names.map(
          (name) => html`<${AppRows}
            key=${name}
            app=${name}
            instances=${groups.get(name)!}
            history=${history}
            isExpanded=${expanded.has(name)}
            onToggle=${() => toggle(name)}
            outcome=${outcomes.get(name)}
            canAct=${scope !== 'read'}
            now=${now}
            loops=${loops}
          />`,
        )}
      </tbody>
    </table>
    ${names.length === 0 && groups.size > 0 && html`<p class="empty-note">No app matches${filter ? ` “${filter}”` : ''}${show ? ` among the ${show} ones` : ''}. <button type="button" class="link" onClick=${() => setParams({ q: null, show: null })}>Clear the filter</button></p>`}
  </div>`;
}

function sortNames(names: string[], groups: Map<string, ProcessInfo[]>, sort: SortKey): string[] {
  if (sort === 'name') return names;
  const value = (name: string) =>
    groups
      .get(name)!
      .reduce((total, p) => total + (sort === 'cpu' ? p.cpu : sort === 'memory' ? p.memory : p.restarts), 0);
  return [...names].sort((a, b) => value(b) - value(a) || a.localeCompare(b));
}
