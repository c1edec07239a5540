import type { ParsedRecord } from '@velos/log-engine';

/** How the daemon's own lines in an app's stderr log start (`velos: restarting: …`, `velos: cannot start …`). */
export const DAEMON_NOTE_PREFIX = 'velos: ';

/**
 * True for a line the daemon wrote into an app's stderr log (a restart, a spawn failure, giving up on
 * a crash loop): written as it saw the exit, it is no message of the crash (`ExitContext`'s `isNote`).
 */
export function isDaemonNote(parsed: ParsedRecord): boolean {
  return parsed.stream !== 'out' && parsed.line.startsWith(DAEMON_NOTE_PREFIX);
}
