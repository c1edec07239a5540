import { formatUmask } from '@velos/core';

/**
 * The line the daemon logs at start when its umask lets every user write (the 0o002 bit clear: 000
 * from a CI or container entrypoint), as its apps inherit it unless they set `umask`; null otherwise.
 * @example daemonUmaskNote(0o000) // 'the daemon runs under umask 0000: files its apps create …'
 */
export function daemonUmaskNote(mask: number): string | null {
  if ((mask & 0o002) !== 0) return null;
  return `the daemon runs under umask ${formatUmask(mask)}: files its apps create are writable by every user unless the app sets umask (umask = "022" in its config, --umask 022; docs/security.md), or start the daemon under umask 022`;
}

/** This process's umask, read without the deprecated `process.umask()` (it sets a mask and puts it back, as Node does). */
export function currentUmask(): number {
  const mask = process.umask(0o022);
  process.umask(mask);
  return mask;
}
