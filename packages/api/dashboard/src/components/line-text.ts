/**
 * The characters of a log line a row shows before a "… N more characters" toggle: about 7 wrapped rows
 * at 1280 px (a 100 KB line drawn whole was ~13,000 px tall, and laid out again on every append).
 */
export const LONG_LINE_CHARS = 1000;

/** Text of the toggle of a cut line (its visible label is CSS content: copying a row leaves it out). */
const MORE_CLASS = 'll-more';

/**
 * Fills a row's text cell with `text`: whole, or its first LONG_LINE_CHARS characters and a toggle button
 * that shows the rest in place (and cuts it again). The whole text is not kept in the page: `fullText`
 * of the row gives it again when the toggle opens.
 */
export function fillLineText(cell: HTMLElement, text: string): void {
  if (text.length <= LONG_LINE_CHARS) {
    cell.textContent = text;
    return;
  }
  const cut = cutAt(text);
  cell.textContent = text.slice(0, cut);
  const more = document.createElement('button');
  more.type = 'button';
  more.className = MORE_CLASS;
  cell.dataset.chars = String(text.length);
  setToggle(more, text.length - cut, false);
  cell.append(more);
}

/**
 * Handles a click in the log list: on a cut line's toggle, shows the whole line (`fullText()`, the text the
 * row was filled with) or cuts it again. Returns whether the click was a toggle's.
 */
export function toggleLineText(
  target: EventTarget | null,
  fullText: (row: Element) => string | undefined,
): boolean {
  const more = (target as Element | null)?.closest?.(`.${MORE_CLASS}`);
  const cell = more?.parentElement;
  const row = cell?.parentElement;
  if (!more || !cell || !row) return false;
  const text = fullText(row);
  if (text === undefined) return false;
  const isOpen = more.getAttribute('aria-expanded') !== 'true';
  const cut = cutAt(text);
  // the text node before the toggle: the button (and its focus) stays where it is
  cell.firstChild!.textContent = isOpen ? text : text.slice(0, cut);
  setToggle(more as HTMLButtonElement, text.length - cut, isOpen);
  return true;
}

/** LONG_LINE_CHARS, one less when that would split a surrogate pair (an emoji drawn as two boxes). */
function cutAt(text: string): number {
  const code = text.charCodeAt(LONG_LINE_CHARS - 1);
  return code >= 0xd800 && code <= 0xdbff ? LONG_LINE_CHARS - 1 : LONG_LINE_CHARS;
}

function setToggle(more: HTMLButtonElement, hiddenChars: number, isOpen: boolean): void {
  const count = hiddenChars.toLocaleString('en-US');
  more.setAttribute('aria-expanded', String(isOpen));
  more.dataset.label = isOpen ? 'show less' : `… ${count} more characters`;
  // the visible words first (a voice command says what it sees), then what the button does
  more.setAttribute(
    'aria-label',
    isOpen
      ? `show less: hide ${count} characters of the line`
      : `${count} more characters: show the whole line`,
  );
}
