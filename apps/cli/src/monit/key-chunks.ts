import type { Key } from 'ink';

const NO_KEY: Key = {
  upArrow: false,
  downArrow: false,
  leftArrow: false,
  rightArrow: false,
  pageDown: false,
  pageUp: false,
  home: false,
  end: false,
  return: false,
  escape: false,
  ctrl: false,
  shift: false,
  tab: false,
  backspace: false,
  delete: false,
  meta: false,
  super: false,
  hyper: false,
  capsLock: false,
  numLock: false,
};

/**
 * The keys of one input event, one by one. ink hands text that arrived in one read (typed fast,
 * pasted, key repeat over SSH, tmux's send-keys) to `useInput` as a single `input` string; monit's
 * keys are single characters, so each is handled in turn: `jjj` moves three rows. Escape sequences
 * (arrows, PgUp) come as events of their own and pass unchanged, as do single keys.
 * @example keysOf('jk', key) // [['j', …], ['k', …]]
 */
export function keysOf(input: string, key: Key): [string, Key][] {
  const chars = [...input];
  if (chars.length <= 1 || key.ctrl || key.meta) return [[input, key]];
  return chars.map((char) => keyOfChar(char));
}

/** What ink would have said of `char` alone (Enter, Backspace, Tab, Ctrl-letter, a capital). */
function keyOfChar(char: string): [string, Key] {
  if (char === '\r' || char === '\n') return ['', { ...NO_KEY, return: true }];
  if (char === '\x7f' || char === '\b') return ['', { ...NO_KEY, backspace: true }];
  if (char === '\t') return ['', { ...NO_KEY, tab: true }];
  const code = char.codePointAt(0) ?? 0;
  if (code >= 1 && code <= 26) return [String.fromCharCode(code + 96), { ...NO_KEY, ctrl: true }];
  if (code < 32) return ['', NO_KEY];
  return [char, { ...NO_KEY, shift: /^[A-Z]$/.test(char) }];
}
