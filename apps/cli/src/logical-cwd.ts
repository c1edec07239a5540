import { isAbsolute } from 'node:path';
import { statOf } from './safe-stat.js';

const DOT_SEGMENT = /(^|\/)\.\.?(\/|$)/;
const PARENT_SEGMENT = /(^|\/)\.\.(\/|$)/;

/**
 * The working directory as the shell names it (`$PWD`, symlinks kept) when it is the process's own
 * directory, else the physical one (`process.cwd()`). Started from `/srv/app/current`, a symlink to
 * `releases/42`, an app keeps `current` as its script's directory and cwd, so a restart after a
 * deploy swapped the link runs the new release, not the one it started in (PM2's issue 1663). The
 * physical one when a relative path `typed` on the command line goes up (`../shared/app.js`), as
 * `ls ../shared` and the kernel read `..`.
 * @example logicalCwd({ PWD: '/srv/app/current' }) // → '/srv/app/current' (process.cwd(): '/srv/app/releases/42')
 */
export function logicalCwd(env: NodeJS.ProcessEnv = process.env, typed: readonly unknown[] = []): string {
  const physical = process.cwd();
  const pwd = env.PWD;
  if (pwd === undefined || pwd === physical || !isAbsolute(pwd) || DOT_SEGMENT.test(pwd)) return physical;
  if (typed.some((path) => typeof path === 'string' && !isAbsolute(path) && PARENT_SEGMENT.test(path)))
    return physical;
  const here = statOf(physical);
  const there = statOf(pwd);
  // the shell's $PWD is stale after a cd by a program that did not update it: only the same directory counts
  const isSame =
    here !== undefined && there !== undefined && here.dev === there.dev && here.ino === there.ino;
  return isSame ? pwd : physical;
}
