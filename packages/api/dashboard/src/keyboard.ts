import { navigate } from './router.js';

/** The keys the page answers to, as the help lists them. */
export const KEYS: [string, string][] = [
  ['j / ↓', 'next app in the table'],
  ['k / ↑', 'previous app'],
  ['Enter', 'open the selected app'],
  ['→ / ← / Space', 'show or hide its instances'],
  ['/', 'filter (apps, or the log search)'],
  ['o  l  e', 'overview, logs, events'],
  ['Esc', 'leave a field, close this help'],
  ['?', 'this help'],
];

/** Installs the page's keys; `toggleHelp` opens or closes the help. Returns the removal. */
export function installKeys(toggleHelp: (open?: boolean) => void): () => void {
  const onKey = (event: KeyboardEvent) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target as HTMLElement;
    const isTyping = target.matches('input, textarea, select, [contenteditable]');
    if (event.key === 'Escape') {
      toggleHelp(false);
      if (isTyping) target.blur();
      return;
    }
    if (isTyping || document.querySelector('dialog[open]')) return;
    const rows = [...document.querySelectorAll<HTMLElement>('tr[data-row]')];
    const index = rows.indexOf(document.activeElement as HTMLElement);
    switch (event.key) {
      case 'j':
      case 'ArrowDown':
        if (!rows.length || (event.key === 'ArrowDown' && index === -1)) return;
        rows[Math.min(rows.length - 1, index + 1)]?.focus();
        break;
      case 'k':
      case 'ArrowUp':
        if (!rows.length || (event.key === 'ArrowUp' && index === -1)) return;
        rows[Math.max(0, index - 1)]?.focus();
        break;
      case '/':
        document.querySelector<HTMLInputElement>('[data-filter]')?.focus();
        break;
      case '?':
        toggleHelp();
        break;
      case 'o':
        navigate('overview');
        break;
      case 'l':
        navigate('logs');
        break;
      case 'e':
        navigate('events');
        break;
      default:
        return;
    }
    event.preventDefault();
  };
  window.addEventListener('keydown', onKey);
  return () => window.removeEventListener('keydown', onKey);
}
