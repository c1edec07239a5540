import type { LogPatternInfo, LogSummaryInfo, LogsAnalyzeResult } from '@velos/core';
import { html } from 'htm/preact';
import { useEffect, useLayoutEffect, useRef, useState } from 'preact/hooks';
import { api, query, seg } from '../api.js';
import { formatAgo, plural } from '../format.js';
import { fillLineText, toggleLineText } from './line-text.js';

const REFRESH_MS = 30_000;
const TRENDS = { rising: '↗ rising', stable: '→ stable', declining: '↘ declining' } as const;

/**
 * A template's level as `velos logs --summary` tags it: `error`, or `40 error` when 40 of its lines are
 * errors and the others are not (an access log's 200 and 503 answers are one template), with a tooltip.
 */
export function templateLevel(t: LogPatternInfo): { text: string; title?: string } {
  if (t.errorCount === undefined) return { text: t.level };
  return {
    text: `${t.errorCount.toLocaleString()} ${t.level}`,
    title: `${t.errorCount.toLocaleString()} of its ${t.count.toLocaleString()} lines are errors; the others are not`,
  };
}

/**
 * The characters of a template the summary's tables show, and of the sample in its tooltip: more than a
 * one-row cell holds, and a 2,000-character template (a 5 KB line) is neither laid out whole nor a tooltip
 * that covers the page.
 */
export const TEMPLATE_CELL_CHARS = 300;

/** A template's cell: its template (its sample when it has none) and, as its tooltip, its sample, each cut to TEMPLATE_CELL_CHARS. */
export function templateCell(t: LogPatternInfo): { text: string; title: string } {
  return { text: cutText(t.template || t.sample), title: cutText(t.sample) };
}

/** The error and fatal templates the top table (its first 6 rows) does not show: a rare fatal stays visible. */
function errorsNotInTop(summary: LogSummaryInfo) {
  const shown = new Set(summary.top.slice(0, 6).map((t) => t.id));
  return (summary.errors ?? []).filter((t) => !shown.has(t.id));
}

/** The log engine's digest of an app's last hour: health score, levels, top templates, error templates, last error, anomalies. */
export function LogSummary({ app }: { app: string }) {
  const [summary, setSummary] = useState<LogSummaryInfo | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let isLive = true;
    const load = async () => {
      try {
        const answer = await api<LogsAnalyzeResult>(
          `/logs/${seg(app)}/summary${query({ since: Date.now() - 3_600_000 })}`,
        );
        if (!isLive) return;
        setSummary(answer.summary ?? null);
        setError(null);
      } catch (e) {
        if (isLive) setError(e instanceof Error ? e.message : String(e));
      }
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      isLive = false;
      clearInterval(timer);
    };
  }, [app]);
  if (error) return html`<p class="empty-note">The log summary is not available: ${error}</p>`;
  if (!summary) return html`<p class="empty-note">Reading the logs…</p>`;
  if (summary.lines === 0) return html`<p class="empty-note">No log lines in the last hour.</p>`;
  const tone = summary.health >= 80 ? 'ok' : summary.health >= 50 ? 'warn' : 'bad';
  const levels = Object.entries(summary.levels).filter(([, n]) => n);
  return html`<div class="log-summary">
    <div class="ls-facts">
      <div class=${`score tone-${tone}`} title="Log health score, 0–100, from the error rate, anomalies and restarts">
        <span class="score-n num">${Math.round(summary.health)}</span><span class="score-k">log health</span>
      </div>
      <div class="ls-levels">
        <div class="num">${plural(summary.lines, 'line')} · ${plural(summary.templates, 'template')} · last hour</div>
        <div class="level-chips">${levels.map(([level, n]) => html`<span class=${`chip lvl-${level}`}>${level} <b class="num">${n?.toLocaleString()}</b></span>`)}</div>
      </div>
      ${
        summary.lastError &&
        html`<div class="ls-error">
          <span class="fact-k">Last ${summary.lastError.level}${summary.lastError.at ? ` · ${formatAgo(summary.lastError.at)}` : ''}</span>
          <${LastErrorText} message=${summary.lastError.message} />
        </div>`
      }
    </div>
    <table class="templates">
      <thead><tr><th scope="col" class="c-num">Lines</th><th scope="col">Level</th><th scope="col">Template</th><th scope="col" class="opt">Trend</th></tr></thead>
      <tbody>
        ${summary.top.slice(0, 6).map(
          (t) => html`<tr key=${t.id}>
            <td class="c-num">${t.count.toLocaleString()}${t.perMin ? html`<span class="sub"> ${t.perMin.toFixed(1)}/min</span>` : null}</td>
            <td><${LevelChip} pattern=${t} /></td>
            <td class="tpl"><${TemplateCode} pattern=${t} /></td>
            <td class=${`opt trend-${t.trend}`}>${TRENDS[t.trend]}</td>
          </tr>`,
        )}
      </tbody>
    </table>
    ${
      errorsNotInTop(summary).length > 0 &&
      html`<table class="templates">
        <thead><tr><th scope="col" class="c-num">Errors</th><th scope="col">Level</th><th scope="col">Template</th><th scope="col" class="opt">Trend</th></tr></thead>
        <tbody>
          ${errorsNotInTop(summary).map(
            (t) => html`<tr key=${t.id}>
              <td class="c-num">${t.count.toLocaleString()}</td>
              <td><${LevelChip} pattern=${t} /></td>
              <td class="tpl"><${TemplateCode} pattern=${t} /></td>
              <td class=${`opt trend-${t.trend}`}>${TRENDS[t.trend]}</td>
            </tr>`,
          )}
        </tbody>
      </table>`
    }
    ${
      summary.anomalies.length > 0 &&
      html`<ul class="anomalies">
        ${summary.anomalies
          .slice(-5)
          .map(
            (a) =>
              html`<li class=${`sev-${a.severity}`}><span class="sev">${a.severity}</span> ${a.metric === 'errorRate' ? 'error rate' : 'volume'} ${a.value.toFixed(1)} vs ${a.mean.toFixed(1)} usual (z ${a.z.toFixed(1)}) · ${formatAgo(a.at)}</li>`,
          )}
      </ul>`
    }
  </div>`;
}

function TemplateCode({ pattern }: { pattern: LogPatternInfo }) {
  const cell = templateCell(pattern);
  return html`<code title=${cell.title}>${cell.text}</code>`;
}

function LevelChip({ pattern }: { pattern: LogPatternInfo }) {
  const level = templateLevel(pattern);
  return html`<span class=${`chip lvl-${pattern.level}`} title=${level.title}>${level.text}</span>`;
}

/**
 * The last error's message cut as a log line is (its first LONG_LINE_CHARS characters and a toggle that
 * opens it in place): a 100 KB error line drawn whole would push the summary off the page.
 */
function LastErrorText({ message }: { message: string }) {
  const ref = useRef<HTMLElement>(null);
  // the text and its toggle are the DOM's own (Preact keeps no children here): filled anew per message
  useLayoutEffect(() => {
    if (ref.current) fillLineText(ref.current, message);
  }, [message]);
  return html`<code ref=${ref} class="lvl-error" onClick=${(e: Event) => toggleLineText(e.target, () => message)}></code>`;
}

/** `text` cut to TEMPLATE_CELL_CHARS characters, its last an ellipsis, never within a surrogate pair. */
function cutText(text: string): string {
  if (text.length <= TEMPLATE_CELL_CHARS) return text;
  const code = text.charCodeAt(TEMPLATE_CELL_CHARS - 2);
  const kept = code >= 0xd800 && code <= 0xdbff ? TEMPLATE_CELL_CHARS - 2 : TEMPLATE_CELL_CHARS - 1;
  return `${text.slice(0, kept)}…`;
}
