/** How times are written: in UTC or in the local zone. */
export interface TimeFormatOptions {
  utc?: boolean;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `HH:MM` or `HH:MM:SS` of an epoch-ms timestamp. */
export function formatClock(ts: number, options: TimeFormatOptions = {}, seconds = false): string {
  const d = new Date(ts);
  const h = options.utc ? d.getUTCHours() : d.getHours();
  const m = options.utc ? d.getUTCMinutes() : d.getMinutes();
  const clock = `${pad(h)}:${pad(m)}`;
  return seconds ? `${clock}:${pad(options.utc ? d.getUTCSeconds() : d.getSeconds())}` : clock;
}

/** `YYYY-MM-DD` of an epoch-ms timestamp. */
export function formatDay(ts: number, options: TimeFormatOptions = {}): string {
  const d = new Date(ts);
  return options.utc
    ? `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`
    : `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/**
 * The zone times are written in, for a header: `UTC`, or the local zone's offset at `ts`
 * (`UTC+01:00`, `UTC-05:30`), so that a reader in another zone knows what `10:05` was.
 */
export function formatZone(ts: number, options: TimeFormatOptions = {}): string {
  const offset = options.utc ? 0 : -new Date(ts).getTimezoneOffset();
  if (offset === 0) return 'UTC';
  const abs = Math.abs(offset);
  return `UTC${offset < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** A duration the short way: `45s`, `42m`, `3h 5m`, `2d 4h`. */
export function formatSpan(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 === 0 ? `${h}h` : `${h}h ${m % 60}m`;
  const d = Math.floor(h / 24);
  return h % 24 === 0 ? `${d}d` : `${d}d ${h % 24}h`;
}

/** An integer with thousands separators: `12,345`. */
export function formatCount(n: number): string {
  const digits = String(Math.round(n));
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A rate with one decimal below 100 and none above. */
export function formatRate(x: number): string {
  return x >= 100 ? String(Math.round(x)) : String(Math.round(x * 10) / 10);
}
