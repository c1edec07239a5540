import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatUmask } from '@velos/core';

/**
 * The warning `velos health` gives when the home's daemon runs under a umask that leaves files open to
 * every user's writes (000 from some CI or container entrypoints): its apps inherit it unless they set
 * `umask`. Null when the umask is safe, or cannot be read (no daemon pid, no Linux /proc).
 */
export function daemonUmaskWarning(home: string): string | null {
  const umask = daemonUmask(home);
  if (umask === null || (umask & 0o002) !== 0) return null;
  return `the daemon runs under umask ${formatUmask(umask)}: files its apps create are writable by every user unless the app sets umask (umask = "022"; docs/security.md), or start the daemon under umask 022`;
}

function daemonUmask(home: string): number | null {
  try {
    const pid = Number.parseInt(readFileSync(join(home, 'velos.pid'), 'utf8'), 10);
    if (!Number.isInteger(pid) || pid <= 0) return null;
    const field = /^Umask:\s*([0-7]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return field === undefined ? null : Number.parseInt(field, 8);
  } catch {
    return null;
  }
}
