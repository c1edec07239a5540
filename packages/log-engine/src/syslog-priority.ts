import type { Level } from './levels.js';

/** A syslog line's `<PRI>` prefix read: the level its severity names, and where the rest of the line starts. */
export interface SyslogPriority {
  level: Level;
  /** The index after the prefix (and after RFC 5424's version `1 `). */
  end: number;
}

/** Syslog severities 0–7: emerg, alert, crit → fatal; err → error; warning; notice, info → info; debug. */
const SEVERITIES: readonly Level[] = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'];

/**
 * Reads the `<PRI>` that starts a syslog line as sent over the network or written by a relay (RFC 3164
 * `<34>Oct 11 22:14:15 host su: …`, RFC 5424 `<165>1 2003-10-11T22:14:15.003Z host app …`): PRI is
 * facility × 8 + severity, at most 191. Undefined when the line does not start with one.
 *
 * @example
 * syslogPriority('<11>Dec  4 10:00:00 host app[1]: disk write failed'); // { level: 'error', end: 4 }
 */
export function syslogPriority(line: string): SyslogPriority | undefined {
  if (line.charCodeAt(0) !== 60) return undefined;
  let value = 0;
  let p = 1;
  for (; p < 5; p++) {
    const c = line.charCodeAt(p);
    if (c === 62) break;
    if (c < 48 || c > 57 || (p > 1 && value === 0)) return undefined;
    value = value * 10 + (c - 48);
  }
  if (p === 1 || line.charCodeAt(p) !== 62 || value > 191) return undefined;
  let end = p + 1;
  // RFC 5424: a version number and a space before the time
  if (line.charCodeAt(end) === 49 && line.charCodeAt(end + 1) === 32) end += 2;
  return { level: SEVERITIES[value % 8]!, end };
}
