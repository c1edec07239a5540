import { realpathSync } from 'node:fs';
import { basename, isAbsolute, join, relative, sep } from 'node:path';
import picomatch from 'picomatch';
import { rotationFileMatcher } from '../logs/log-rotation.js';

/**
 * Decides whether a changed path is ignored: by an app's `ignore_watch`, or as something Velos itself
 * writes (the Velos home, the log and pid files of every app).
 */
export type IgnoreMatcher = (path: string) => boolean;

/** What an app's watcher ignores. */
export interface IgnoreOptions {
  /** The app's `ignore_watch` globs. */
  globs: readonly string[];
  /** Where a glob with a slash in it is relative to (the app's cwd). */
  cwd: string;
  /** The watched paths: with `cwd`, the directories below which a glob without a slash matches. */
  roots: readonly string[];
  /** The app's own log files: they, their rotated copies and the temp files of their compression. */
  ownLogFiles: readonly string[];
  /** Directories ignored with all below them whatever the globs say: the Velos home. */
  velosDirs?: readonly string[];
  /** Asked last, on each path: true for a file Velos writes for any app (other apps' logs, pid files). */
  isVelosFile?: (path: string) => boolean;
}

/**
 * Builds the matcher of an app's watcher. As in .gitignore, a glob without a slash (`*.tmp`,
 * `cache`) matches a file or directory name at any depth below the cwd or a watched path; an
 * absolute glob matches absolute paths, one that starts with `**` matches anywhere, any other glob
 * is relative to the cwd. A glob also covers what is below the path it names (`node_modules`
 * ignores `node_modules/x.js`). The app's log files and what their rotation writes are always ignored,
 * and so is what Velos writes: its home directory (state, sockets, every app's logs, events.jsonl),
 * seen through a symlinked watched path as well, but for a watched path inside it, and the files
 * `isVelosFile` names (every app's logs and pid files, wherever they are), and editors' scratch files
 * (`#main.js#`, `.main.js.swo`): they come before a save. A watched path that a glob
 * ignores itself (`node_modules/mylib` under `**\/node_modules/**`) is watched: the globs apply below it.
 */
export function createIgnoreMatcher(options: IgnoreOptions): IgnoreMatcher {
  const patterns: string[] = [];
  const names: string[] = [];
  for (const glob of options.globs) {
    const trimmed = glob.replace(/\/+$/, '');
    if (trimmed === '') continue;
    if (!trimmed.includes('/')) {
      names.push(trimmed);
      continue;
    }
    const pattern = isAbsolute(trimmed) || trimmed.startsWith('**') ? trimmed : join(options.cwd, trimmed);
    patterns.push(pattern, `${pattern}/**`);
  }
  const isMatch = patterns.length > 0 ? picomatch(patterns, { dot: true }) : () => false;
  const isName = names.length > 0 ? picomatch(names, { dot: true }) : null;
  const roots = [...new Set([options.cwd, ...options.roots])];
  const isOwnLog = options.ownLogFiles.map(rotationFileMatcher);
  const velosDirs = [...new Set((options.velosDirs ?? []).flatMap((dir) => aliasesOf(dir, roots)))].map(
    (dir) => ({
      dir,
      // a path watched inside the home (an app kept there) is watched all the same
      watchedInside: options.roots.filter((root) => root !== dir && isSameOrBelow(dir, root)),
    }),
  );
  const isInVelosDir = (path: string): boolean =>
    velosDirs.some(
      ({ dir, watchedInside }) =>
        isSameOrBelow(dir, path) && !watchedInside.some((root) => isSameOrBelow(root, path)),
    );
  const isGlobbed = (path: string): boolean =>
    isMatch(path) || (isName !== null && roots.some((root) => hasNameBelow(root, path, isName)));
  // a path watched on purpose inside what a glob ignores (watch: ["node_modules/mylib"], a linked
  // package, under the default **/node_modules/**) was not watched at all: the globs apply below it
  const ignoredRoots = options.roots.filter(isGlobbed).sort((a, b) => b.length - a.length);
  const isIgnoredByGlobs = (path: string): boolean => {
    const root = ignoredRoots.find((candidate) => isSameOrBelow(candidate, path));
    if (root === undefined) return isGlobbed(path);
    const below = relative(root, path);
    if (below === '') return false;
    return (
      isMatch(join(WATCHED_ROOT, below)) || (isName !== null && below.split(sep).some((name) => isName(name)))
    );
  };
  const isVelosFile = options.isVelosFile ?? (() => false);
  return (path) =>
    isInVelosDir(path) ||
    isOwnLog.some((matches) => matches(path)) ||
    (isEditorScratch(path) && !options.roots.includes(path)) ||
    isIgnoredByGlobs(path) ||
    isVelosFile(path);
}

/**
 * What editors write beside a file while it is edited, before and without a save: Emacs' auto-save
 * (`#main.js#`, every 30 s of idle edits) and lock (`.#main.js`), vim's swap files past `.swp`/`.swx`
 * (`.main.js.swo` when a second vim has it open; chokidar skips the first two), Kate's `.kate-swp`.
 */
const EDITOR_SCRATCH_RE = /^(#.+#|\.#.+|\..+\.sw[a-p]|.+\.kate-swp)$/;

/** True for an editor's scratch file: never a change, whatever `ignore_watch` says. */
function isEditorScratch(path: string): boolean {
  return EDITOR_SCRATCH_RE.test(basename(path));
}

/** Where a glob is matched against a path below a watched path it would ignore (`**` globs only reach it). */
const WATCHED_ROOT = `${sep}velos-watched-path`;

/** True when `path` is `dir` or lies below it. */
function isSameOrBelow(dir: string, path: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : `${dir}${sep}`);
}

/**
 * `dir` and the paths it has below the watched roots: a root reached through a symlink reports paths
 * under the symlink, not under the real directory `dir` resolves to.
 */
function aliasesOf(dir: string, roots: readonly string[]): string[] {
  const real = realPath(dir);
  const aliases = [dir, real];
  for (const root of roots) {
    const realRoot = realPath(root);
    if (realRoot !== root && isSameOrBelow(realRoot, real))
      aliases.push(join(root, relative(realRoot, real)));
  }
  return aliases;
}

function realPath(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** True when a name in `path` below `root` (the root's own name not included) matches. */
function hasNameBelow(root: string, path: string, isName: (name: string) => boolean): boolean {
  const below = relative(root, path);
  if (below === '' || below === '..' || below.startsWith(`..${sep}`) || isAbsolute(below)) return false;
  return below.split(sep).some(isName);
}
