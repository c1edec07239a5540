import { readdirSync, readFileSync } from 'node:fs';
import { HAS_PROCFS } from '../proc-scan.js';

/** A live process that came from a Velos home: its pid and the `VELOS_ID` it was started as. */
export interface HomeProcess {
  pid: number;
  /** The process id (`VELOS_ID`) in its environment, null when absent or not a number. */
  id: number | null;
  /** The `VELOS_ID` as written (`cluster-primary` for a cluster primary). */
  rawId: string;
}

/**
 * Finds every process of this user whose environment says it was started by the daemon of `home`
 * (`VELOS_HOME=<home>` and a `VELOS_ID`), grandchildren that left their process group included;
 * the calling process is left out. Linux only (reads `/proc/<pid>/environ`); elsewhere none.
 */
export function findHomeProcesses(home: string): HomeProcess[] {
  if (!HAS_PROCFS) return [];
  const needle = Buffer.from(`VELOS_HOME=${home}\0`);
  const found: HomeProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    const code = entry.charCodeAt(0);
    if (code < 48 || code > 57) continue;
    const pid = Number(entry);
    if (pid === process.pid) continue;
    let environ: Buffer;
    try {
      environ = readFileSync(`/proc/${entry}/environ`);
    } catch {
      continue; // gone, or another user's
    }
    if (!startsOrContains(environ, needle)) continue;
    const id = readVariable(environ, 'VELOS_ID');
    if (id === undefined) continue;
    found.push({ pid, id: /^\d+$/.test(id) ? Number(id) : null, rawId: id });
  }
  return found;
}

/** True when `environ` holds `needle` as one whole `NAME=value\0` entry. */
function startsOrContains(environ: Buffer, needle: Buffer): boolean {
  for (let at = environ.indexOf(needle); at !== -1; at = environ.indexOf(needle, at + 1)) {
    if (at === 0 || environ[at - 1] === 0) return true;
  }
  return false;
}

function readVariable(environ: Buffer, name: string): string | undefined {
  const prefix = `${name}=`;
  for (const variable of environ.toString('utf8').split('\0')) {
    if (variable.startsWith(prefix)) return variable.slice(prefix.length);
  }
  return undefined;
}
