/** The reserved key that makes a JSON line an app event (`{"velos_event":"sync.done",…}`). */
export const APP_EVENT_KEY = 'velos_event';
/** OBS-6: the reserved key that makes a JSON line a custom metric report (`{"velos_metric":"orders_total",…}`). */
export const APP_METRIC_KEY = 'velos_metric';
/** Longest line (bytes, newline excluded) taken as an app event or metric; a longer one stays a log line only. */
export const APP_EVENT_LINE_MAX_BYTES = 16 * 1024;

// one marker for both keys, so a batch costs one native search whether or not it holds one
const MARKER = Buffer.from('"velos_');
const EVENT_REST = Buffer.from('event"');
const METRIC_REST = Buffer.from('metric"');
const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const OPEN_BRACE = 123;
const SPACE = 32;
const TAB = 9;

/**
 * Calls `found` with every line of newline-separated `data` that may be an app event: it starts
 * with `{` (after blanks), holds `"velos_event"` and is at most `APP_EVENT_LINE_MAX_BYTES`; and
 * `foundMetric` likewise with the lines holding `"velos_metric"` (OBS-6). One native search per
 * batch, so capture costs the same for output that holds no marker.
 */
export function findAppEventLines(
  data: Buffer,
  found: (line: string) => void,
  foundMetric?: (line: string) => void,
): void {
  let from = 0;
  while (from < data.length) {
    const hit = data.indexOf(MARKER, from);
    if (hit === -1) return;
    const rest = hit + MARKER.length;
    const isEvent = startsWith(data, rest, EVENT_REST);
    const isMetric = !isEvent && foundMetric !== undefined && startsWith(data, rest, METRIC_REST);
    if (!isEvent && !isMetric) {
      from = rest;
      continue;
    }
    const start = hit === 0 ? 0 : data.lastIndexOf(NEWLINE, hit - 1) + 1;
    const newline = data.indexOf(NEWLINE, hit);
    const end = newline === -1 ? data.length : newline;
    from = end + 1;
    let first = start;
    while (first < end && (data[first] === SPACE || data[first] === TAB)) first += 1;
    if (data[first] !== OPEN_BRACE) continue;
    const last = data[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (last - first > APP_EVENT_LINE_MAX_BYTES) continue;
    (isEvent ? found : foundMetric!)(data.toString('utf8', first, last));
  }
}

function startsWith(data: Buffer, at: number, expected: Buffer): boolean {
  if (at + expected.length > data.length) return false;
  for (let i = 0; i < expected.length; i += 1) if (data[at + i] !== expected[i]) return false;
  return true;
}
