import { describe, expect, it } from 'vitest';
import { currentUmask, daemonUmaskNote } from '../src/daemon-umask.js';

describe('the umask line of the daemon log', () => {
  it('is written when every user may write (the 0o002 bit clear), never under 002, 022 or 077', () => {
    expect([0o000, 0o020].map((mask) => daemonUmaskNote(mask)?.slice(0, 35))).toEqual([
      'the daemon runs under umask 0000: f',
      'the daemon runs under umask 0020: f',
    ]);
    expect(daemonUmaskNote(0o000)).toContain(
      'unless the app sets umask (umask = "022" in its config, --umask 022',
    );
    expect([0o002, 0o022, 0o077].map(daemonUmaskNote)).toEqual([null, null, null]);
  });

  it('reads the umask and leaves it as it was', () => {
    const before = process.umask(0o027);
    try {
      expect([currentUmask(), currentUmask()]).toEqual([0o027, 0o027]);
    } finally {
      process.umask(before);
    }
  });
});
