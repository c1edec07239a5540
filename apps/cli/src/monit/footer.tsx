import { Text } from 'ink';
import { displayWidth } from '../output/display-width.js';
import { fit, fitLine, fitLineStart, screenSafe } from './format.js';

/** What the footer line asks for: the filter being typed, or a delete's confirmation. */
export type Prompt =
  | { kind: 'filter'; text: string }
  | { kind: 'confirm'; target: string; label: string }
  | null;
/** `isPending`: an action still under way (stays until its outcome replaces it); other notices fade. */
export type Notice = { text: string; color: 'green' | 'red' | 'yellow'; isPending?: boolean } | null;

/** The footer line: a prompt, an action's outcome, or the keys of the view that fit `width` columns. */
export function Footer(props: {
  prompt: Prompt;
  notice: Notice;
  filter: string;
  view: 'main' | 'logs' | 'help';
  width: number;
}) {
  const { prompt, notice, filter, view, width } = props;
  // a prompt is one line whatever the width: a wrapped footer would push the header off the screen
  if (prompt?.kind === 'filter') {
    const full = `/${prompt.text}█ (Enter: keep, Esc: clear)`;
    return <Text>{displayWidth(full) <= width ? full : fitLineStart(`/${prompt.text}█`, width)}</Text>;
  }
  if (prompt?.kind === 'confirm') {
    return (
      <Text color="yellow" wrap="truncate">
        {confirmText(prompt.label, width)}
      </Text>
    );
  }
  if (notice)
    return (
      <Text color={notice.color} wrap="truncate">
        {fitLine(screenSafe(notice.text), width)}
      </Text>
    );
  const keys = view === 'logs' ? LOGS_VIEW_KEYS : MAIN_KEYS;
  // a long filter is cut so that help and quit still show after it
  const room = width - displayWidth(`filter "" · ${fitKeyHints(keys, 0)}`);
  const lead = filter ? `filter "${fitLine(screenSafe(filter), Math.max(1, room)).trimEnd()}" · ` : '';
  return (
    <Text dimColor wrap="truncate">
      {fitLine(lead + fitKeyHints(keys, width - displayWidth(lead)), width)}
    </Text>
  );
}

/** The question of a delete, `label` cut (`…`) so that it fits `width` columns with its `(y/N)`. */
export function confirmText(label: string, width: number): string {
  const full = `delete ${label}? it stops and leaves the list (y/N)`;
  if (displayWidth(full) <= width) return full;
  const room = width - displayWidth('delete ? (y/N)');
  return `delete ${fit(label, Math.max(4, room)).trimEnd()}? (y/N)`;
}

/** A key hint of the footer; `keep` ranks what a narrow screen keeps (higher stays longer). */
export interface KeyHint {
  text: string;
  keep: number;
}

/** Always shown: how to see every key and how to leave. */
const ALWAYS = 9;

/** The keys of the main screen, in the footer's order. */
export const MAIN_KEYS: readonly KeyHint[] = [
  { text: '↑↓ select', keep: 3 },
  { text: 'Enter logs', keep: 6 },
  { text: 'r restart', keep: 8 },
  { text: 'R reload', keep: 1 },
  { text: 's stop', keep: 7 },
  { text: 'd delete', keep: 5 },
  { text: 'a summary', keep: 2 },
  { text: '/ filter', keep: 4 },
  { text: '? help', keep: ALWAYS },
  { text: 'q quit', keep: ALWAYS },
];

/** The full-screen logs: q and Esc go back to the table there, the other keys work as on it. */
export const LOGS_VIEW_KEYS: readonly KeyHint[] = [
  { text: 'Esc/q back', keep: ALWAYS },
  { text: 'PgUp/PgDn scroll', keep: 6 },
  { text: '↑↓ select', keep: 3 },
  { text: 'a summary', keep: 2 },
  { text: 'r restart', keep: 8 },
  { text: 'R reload', keep: 1 },
  { text: 's stop', keep: 7 },
  { text: 'd delete', keep: 5 },
  { text: '/ filter', keep: 4 },
  { text: '? help', keep: ALWAYS },
];

const SEPARATOR = ' · ';

/**
 * The key hints that fit `width` columns, in their order: a narrow screen leaves out the least
 * needed first (`? help` lists them all), so help and quit always show.
 * @example fitKeyHints(MAIN_KEYS, 80) // 'Enter logs · r restart · s stop · d delete · / filter · ? help · q quit'
 */
export function fitKeyHints(hints: readonly KeyHint[], width: number): string {
  let shown = [...hints];
  const text = () => shown.map((hint) => hint.text).join(SEPARATOR);
  while (displayWidth(text()) > width) {
    const least = shown.reduce((min, hint) => (hint.keep < min.keep ? hint : min));
    if (least.keep >= ALWAYS) break;
    shown = shown.filter((hint) => hint !== least);
  }
  return text();
}
