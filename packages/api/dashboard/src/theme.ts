import { useEffect, useState } from 'preact/hooks';

/** The user's choice: follow the system, or force light or dark. */
export type ThemeMode = 'auto' | 'light' | 'dark';

const KEY = 'velos.theme';
const media = window.matchMedia('(prefers-color-scheme: dark)');
const listeners = new Set<() => void>();

/** The stored choice (auto when none). */
export function themeMode(): ThemeMode {
  const mode = localStorage.getItem(KEY);
  return mode === 'light' || mode === 'dark' ? mode : 'auto';
}

/** The theme drawn now: the choice, or the system's preference under auto. */
export function effectiveTheme(): 'light' | 'dark' {
  const mode = themeMode();
  return mode === 'auto' ? (media.matches ? 'dark' : 'light') : mode;
}

/** Applies the theme to the document (call once at start; it follows the system afterwards). */
export function applyTheme(): void {
  document.documentElement.dataset.theme = effectiveTheme();
  for (const listener of listeners) listener();
}

/** Switches auto → the opposite of the system → the system's own → auto, so one button visits all three. */
export function cycleTheme(): void {
  const mode = themeMode();
  const system = media.matches ? 'dark' : 'light';
  const next: ThemeMode =
    mode === 'auto' ? (system === 'dark' ? 'light' : 'dark') : mode === system ? 'auto' : system;
  if (next === 'auto') localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, next);
  applyTheme();
}

/** A hook giving the effective theme and the choice, re-rendering when either changes. */
export function useTheme(): { theme: 'light' | 'dark'; mode: ThemeMode } {
  const [value, setValue] = useState(() => ({ theme: effectiveTheme(), mode: themeMode() }));
  useEffect(() => {
    const listener = () => setValue({ theme: effectiveTheme(), mode: themeMode() });
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return value;
}

media.addEventListener('change', applyTheme);
