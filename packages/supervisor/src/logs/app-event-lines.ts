/** The reserved key that makes a JSON line an app event (`{"velos_event":"sync.done",…}`). */
export const APP_EVENT_KEY = 'velos_event';
/** Longest line (bytes, newline excluded) taken as an app event; a longer one stays a log line only. */
export const APP_EVENT_LINE_MAX_BYTES = 16 * 1024;

const MARKER = Buffer.from(`"${APP_EVENT_KEY}"`);
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const OPEN_BRACE = 123;
const SPACE = 32;
const TAB = 9;

/**
 * Calls `found` with every line of newline-separated `data` that may be an app event: it starts
 * with `{` (after blanks), holds `"velos_event"` and is at most `APP_EVENT_LINE_MAX_BYTES`. One
 * native search per batch, so capture costs the same for output that holds no marker.
 */
export function findAppEventLines(data: Buffer, found: (line: string) => void): void {
  let from = 0;
  while (from < data.length) {
    const hit = data.indexOf(MARKER, from);
    if (hit === -1) return;
    const start = hit === 0 ? 0 : data.lastIndexOf(NEWLINE, hit - 1) + 1;
    const newline = data.indexOf(NEWLINE, hit);
    const end = newline === -1 ? data.length : newline;
    from = end + 1;
    let first = start;
    while (first < end && (data[first] === SPACE || data[first] === TAB)) first += 1;
    if (data[first] !== OPEN_BRACE) continue;
    const last = data[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (last - first > APP_EVENT_LINE_MAX_BYTES) continue;
    found(data.toString('utf8', first, last));
  }
}
