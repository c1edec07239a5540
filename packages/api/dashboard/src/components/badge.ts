import { html } from 'htm/preact';
import type { StatusLabel } from '../status.js';

/** A state as a coloured dot and its word (never colour alone). */
export function Badge({ label }: { label: StatusLabel }) {
  return html`<span class=${`badge tone-${label.tone}`}><span class="dot" aria-hidden="true"></span>${label.word}</span>`;
}
