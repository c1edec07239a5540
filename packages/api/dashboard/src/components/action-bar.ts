import type { ProcessInfo } from '@velos/core';
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { type ActionName, runAction } from '../actions.js';
import { navigate } from '../router.js';
import { useDash } from '../store.js';

/** Every action on an app, with the scale input and the outcome of the last one. */
export function ActionBar({ app, instances }: { app: string; instances: ProcessInfo[] }) {
  const scope = useDash((s) => s.scope);
  const outcome = useDash((s) => s.outcomes.get(app));
  const [busy, setBusy] = useState<ActionName | null>(null);
  // What is typed in the scale box; until then (and after a scale) it shows the app's count as it is now.
  const [draft, setDraft] = useState<string | null>(null);
  const count = draft ?? String(instances.length);
  const isJob = instances[0]?.type === 'job';
  const isRunning = instances.some((p) => p.status !== 'stopped' && p.status !== 'errored');
  const act = async (action: ActionName, arg?: string) => {
    setBusy(action);
    const isDone = await runAction(app, action, arg);
    setBusy(null);
    if (isDone && action === 'scale') setDraft(null);
    if (isDone && action === 'delete') navigate('overview');
  };
  if (scope === 'read') return html`<p class="muted">Read-only token: actions need the admin token.</p>`;
  const button = (action: ActionName, text: string, className = '') =>
    html`<button type="button" class=${`btn ${className}`} disabled=${busy !== null} data-action=${action} onClick=${() => act(action)}>${busy === action ? `${text}…` : text}</button>`;
  return html`<div class="action-bar">
    <div class="actions">
      ${button('restart', isRunning ? 'Restart' : 'Start', 'primary')}
      ${!isJob && button('reload', 'Reload')}
      ${isJob && button('trigger', 'Run now')}
      ${isRunning && button('stop', 'Stop')}
      ${
        !isJob &&
        html`<form class="scale" onSubmit=${(e: Event) => {
          e.preventDefault();
          void act('scale', count);
        }}>
          <label>Instances <input type="text" inputmode="numeric" size="3" value=${count} onInput=${(e: Event) => setDraft((e.target as HTMLInputElement).value)} aria-label="Instances (a number from 1 to 1024, +N or -N)" /></label>
          <button type="submit" class="btn" disabled=${busy !== null || count === String(instances.length)}>Scale</button>
        </form>`
      }
      ${button('delete', 'Delete', 'danger quiet')}
    </div>
    ${outcome && html`<p class=${outcome.isOk ? 'outcome ok' : 'outcome bad'} role="status" data-outcome>${outcome.isOk ? '✓' : '✕'} ${outcome.text}</p>`}
  </div>`;
}
