/** Bytes the short way with a binary unit: `512 B`, `48.2 MB`, `1.10 GB`. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined || !Number.isFinite(bytes)) return '–';
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const digits = unit === 0 ? 0 : value < 10 ? 2 : value < 100 ? 1 : 0;
  return `${value.toFixed(digits)} ${units[unit]}`;
}

/** A CPU figure where 100 = one core: `0.4 %`, `12 %`. */
export function formatPercent(percent: number | null | undefined): string {
  if (percent === null || percent === undefined || !Number.isFinite(percent)) return '–';
  return `${percent < 10 ? percent.toFixed(1) : Math.round(percent)} %`;
}

/** A span in the largest two units, a zero second one left out: `45 s`, `3 m 12 s`, `10 m`, `2 h 5 m`, `4 d 1 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms) || ms <= 0) return '–';
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return twoUnits(m, 'm', s % 60, 's');
  const h = Math.floor(m / 60);
  if (h < 24) return twoUnits(h, 'h', m % 60, 'm');
  return twoUnits(Math.floor(h / 24), 'd', h % 24, 'h');
}

function twoUnits(big: number, bigUnit: string, small: number, smallUnit: string): string {
  return small === 0 ? `${big} ${bigUnit}` : `${big} ${bigUnit} ${small} ${smallUnit}`;
}

/** How long ago an epoch ms was: `just now`, `12 s ago`, `3 m ago`. */
export function formatAgo(at: number | null | undefined, now = Date.now()): string {
  if (!at) return '–';
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 3) return 'just now';
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} m ago`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86_400)} d ago`;
}

/**
 * The formats of `formatClock`, made once: `toLocaleTimeString` with options builds a new formatter at
 * every call (~0.25 ms), which every log row paid (a flood's rows held the page for seconds). The 23-hour
 * cycle: `hour12: false` alone says `24:00:07` just after midnight.
 */
const CLOCK_TIME = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});
const CLOCK_DAY = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });

/** Wall-clock time of an epoch ms: `14:03:27` (today) or `Mar 3 14:03`. */
export function formatClock(at: number): string {
  const date = new Date(at);
  const time = CLOCK_TIME.format(date);
  if (new Date().toDateString() === date.toDateString()) return time;
  return `${CLOCK_DAY.format(date)} ${time.slice(0, 5)}`;
}

/**
 * A time axis tick on the 24-hour clock the rest of the page uses (`14:05`, not uPlot's `2:05pm`), with
 * the day under the first tick and under one where the day changes (`14:05\nDec 6`, not `12/6/26`).
 */
export function formatAxisTime(ms: number, previousMs: number | null): string {
  const date = new Date(ms);
  const time = date.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  const isNewDay = previousMs === null || new Date(previousMs).toDateString() !== date.toDateString();
  return isNewDay ? `${time}\n${date.toLocaleDateString([], { month: 'short', day: 'numeric' })}` : time;
}

/** A count with a unit that agrees: `1 restart`, `3 restarts`, `1,234 lines`. */
export function plural(count: number, word: string): string {
  return `${count.toLocaleString()} ${word}${count === 1 ? '' : 's'}`;
}
