import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';

/** Suffix of a time index file: `api-out.log` → `api-out.log.tidx`. */
export const TIME_INDEX_SUFFIX = '.tidx';
/** Directory under the home's logs directory that holds the indexes of log files kept elsewhere. */
export const TIME_INDEX_DIR = '.tidx';
/** Characters of a file's name kept readable in the name of its index under the home (its end: stamp and extension). */
const MAX_READABLE_CHARS = 96;

/**
 * The time index file of a log file (a rotated `.gz` file shares the index of its plain name): beside
 * it when it is in `homeLogsDir` (the Velos home's logs directory) or when that is not known; a file
 * kept elsewhere (`out_file = "/var/log/myapp/out.log"`) has it under `<homeLogsDir>/.tidx/`, named by
 * the end of its name and a hash of its absolute path (`out.log.3f…9a.tidx`), so that nothing but
 * the log files lands in a directory the user's tools work on.
 */
export function timeIndexPath(logPath: string, homeLogsDir?: string): string {
  const plain = plainPathOf(logPath);
  if (homeLogsDir === undefined || isWithin(homeLogsDir, plain)) return `${plain}${TIME_INDEX_SUFFIX}`;
  return join(homeLogsDir, TIME_INDEX_DIR, homeIndexName(resolve(plain)));
}

/** The index beside a log file, where versions before the home's `.tidx/` directory kept every one. */
export function besideTimeIndexPath(logPath: string): string {
  return `${plainPathOf(logPath)}${TIME_INDEX_SUFFIX}`;
}

/**
 * The index files that hold a log file's entries, in the order they were written: its index under the
 * home after the one an older version left beside it (when the two differ; either may be missing).
 */
export function timeIndexPaths(logPath: string, homeLogsDir?: string): string[] {
  const own = timeIndexPath(logPath, homeLogsDir);
  const beside = besideTimeIndexPath(logPath);
  return own === beside ? [own] : [beside, own];
}

/**
 * The name of the index of `absolutePath` under the home: the last 96 characters of its name, other
 * characters than letters, digits, `.`, `_` and `-` as `_`, then a 64-bit FNV-1a hash of the whole
 * path (two files of one name in different directories get different indexes; the name stays short).
 */
function homeIndexName(absolutePath: string): string {
  const readable = basename(absolutePath)
    .replace(/[^\w.-]/g, '_')
    .slice(-MAX_READABLE_CHARS);
  return `${readable}.${fnv1a64(absolutePath)}${TIME_INDEX_SUFFIX}`;
}

function plainPathOf(logPath: string): string {
  return logPath.endsWith('.gz') ? logPath.slice(0, -3) : logPath;
}

function isWithin(dir: string, path: string): boolean {
  const rel = relative(resolve(dir), dirname(resolve(path)));
  return !isAbsolute(rel) && rel.split(sep)[0] !== '..';
}

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK_64 = 0xffffffffffffffffn;

/** 16 hex digits of the FNV-1a hash of the UTF-8 bytes of `text` (node:crypto is not loaded by the daemon). */
function fnv1a64(text: string): string {
  let hash = FNV_OFFSET;
  for (const byte of Buffer.from(text, 'utf8')) hash = ((hash ^ BigInt(byte)) * FNV_PRIME) & MASK_64;
  return hash.toString(16).padStart(16, '0');
}
