import { createReadStream, existsSync } from 'node:fs';
import { open, readdir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { CREATE_EXCLUSIVE, isoTime } from '@velos/core';
import { TIME_INDEX_DIR, TIME_INDEX_SUFFIX, timeIndexPath, timeIndexPaths } from './time-index-path.js';

/** When and how a log file is rotated; every field is optional, nothing set means no rotation. */
export interface RotationOptions {
  /** Rotate before a write would take the file past this many bytes. */
  maxBytes?: number;
  /**
   * Rotate on this cron expression (five fields, six with seconds first, seven with a year last); an
   * empty file is left alone.
   */
  cron?: string;
  /** Rotated files kept per log file (compressed and uncompressed together), default 10. */
  retain?: number;
  /** Gzip rotated files in the background, default true. */
  compress?: boolean;
}

/** A rotated sibling of a log file. */
export interface RotatedFile {
  /** Path as it is now (ends with `.gz` once compressed). */
  path: string;
  /** The rotation time as written in the name, e.g. `2026-11-22T01-02-03.456Z`. */
  stamp: string;
  /** Tie-breaker of rotations within one millisecond (0 for the first). */
  seq: number;
  isCompressed: boolean;
}

/** Default number of rotated files kept per log file. */
export const DEFAULT_LOG_RETAIN = 10;

const STAMP = String.raw`\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}Z`;

/**
 * The path a log file is renamed to when rotated at `date`: the time goes before the extension,
 * `logs/api-out.log` → `logs/api-out.2026-11-22T01-02-03.456Z.log` (UTC, sortable, no cascade of
 * renames); `-1`, `-2`… is added after the time when that name, or its `.gz`, already exists.
 */
export function rotatedPath(path: string, date: Date): string {
  const { stem, ext } = splitName(path);
  const stamp = isoTime(date.getTime()).replaceAll(':', '-');
  for (let seq = 0; ; seq += 1) {
    const candidate = join(dirname(path), `${stem}.${stamp}${seq === 0 ? '' : `-${seq}`}${ext}`);
    if (!existsSync(candidate) && !existsSync(`${candidate}.gz`)) return candidate;
  }
}

/** The rotated siblings of `path`, newest first; a file present both plain and `.gz` counts once. */
export async function listRotated(path: string): Promise<RotatedFile[]> {
  return (await readRotated(path)).files;
}

/**
 * The rotated sibling of `path` rotated `depth` rotations before `newer` (0: the one just before it),
 * by the order of the names on disk, as it is now (its `.gz` once compressed); null when `newer` is
 * not there or nothing that old is (pruned).
 */
export async function rotatedBefore(path: string, newer: string, depth: number): Promise<string | null> {
  const plain = (name: string) => (name.endsWith('.gz') ? name.slice(0, -3) : name);
  const files = await listRotated(path);
  const at = files.findIndex((file) => plain(file.path) === plain(newer));
  if (at === -1) return null;
  return files[at + 1 + depth]?.path ?? null;
}

/**
 * The rotated siblings of `path` (as `listRotated`) and the time indexes of rotated files that are
 * no longer there (`orphanIndexes`, full paths: beside them, and under `homeLogsDir` for a file kept
 * elsewhere, see `timeIndexPath`).
 */
async function readRotated(
  path: string,
  homeLogsDir?: string,
): Promise<{ files: RotatedFile[]; orphanIndexes: string[] }> {
  const { stem, ext } = splitName(path);
  const pattern = new RegExp(`^${escapeRegExp(stem)}\\.(${STAMP})(?:-(\\d+))?${escapeRegExp(ext)}(\\.gz)?$`);
  // listed before the log files: a rotation renames the file first, so an index listed has its file listed
  const homeIndexes = isKeptElsewhere(path, homeLogsDir)
    ? await readdir(join(homeLogsDir, TIME_INDEX_DIR)).catch(() => [])
    : [];
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return { files: [], orphanIndexes: [] };
  }
  const byBase = new Map<string, RotatedFile>();
  const indexes: string[] = [];
  for (const name of names) {
    if (name.endsWith(TIME_INDEX_SUFFIX)) {
      if (pattern.test(name.slice(0, -TIME_INDEX_SUFFIX.length))) indexes.push(name);
      continue;
    }
    const match = pattern.exec(name);
    if (!match) continue;
    const isCompressed = match[3] !== undefined;
    const base = isCompressed ? name.slice(0, -3) : name;
    const known = byBase.get(base);
    // while a compression finishes both exist: the plain file is the complete one until it is deleted
    if (known && !known.isCompressed) continue;
    byBase.set(base, {
      path: join(dirname(path), name),
      stamp: match[1]!,
      seq: Number(match[2] ?? 0),
      isCompressed,
    });
  }
  const files = [...byBase.values()].sort((a, b) =>
    a.stamp === b.stamp ? b.seq - a.seq : a.stamp < b.stamp ? 1 : -1,
  );
  const orphanIndexes = indexes
    .filter((name) => !byBase.has(name.slice(0, -TIME_INDEX_SUFFIX.length)))
    .map((name) => join(dirname(path), name));
  if (homeIndexes.length > 0)
    orphanIndexes.push(...homeOrphanIndexes(path, homeLogsDir!, homeIndexes, byBase));
  return { files, orphanIndexes };
}

/**
 * Of `names` (those in `<homeLogsDir>/.tidx/`), the indexes of rotated siblings of `path` that are no
 * longer there (`present`: those that are, by plain name). An index's name holds the end of its file's
 * name and a hash of its path: each stamp in it gives the rotated path it may be of, and only an index
 * whose whole name that path gives is taken (the same name from another directory hashes otherwise).
 */
function homeOrphanIndexes(
  path: string,
  homeLogsDir: string,
  names: string[],
  present: ReadonlyMap<string, unknown>,
): string[] {
  const dir = join(homeLogsDir, TIME_INDEX_DIR);
  const { stem, ext } = splitName(path);
  const stamps = new RegExp(`\\.(${STAMP})(?:-(\\d+))?`, 'g');
  const orphans: string[] = [];
  for (const name of names) {
    if (!name.endsWith(TIME_INDEX_SUFFIX)) continue;
    for (const match of name.matchAll(stamps)) {
      const rotatedName = `${stem}.${match[1]}${match[2] === undefined ? '' : `-${match[2]}`}${ext}`;
      const index = timeIndexPath(join(dirname(path), rotatedName), homeLogsDir);
      if (index !== join(dir, name)) continue;
      if (!present.has(rotatedName)) orphans.push(index);
      break;
    }
  }
  return orphans;
}

/** Whether the time indexes of `path` are kept under `homeLogsDir` rather than beside it. */
function isKeptElsewhere(path: string, homeLogsDir: string | undefined): homeLogsDir is string {
  return homeLogsDir !== undefined && timeIndexPath(path, homeLogsDir) !== `${path}${TIME_INDEX_SUFFIX}`;
}

/**
 * Deletes the rotated siblings of `path` beyond the newest `retain`, and their time indexes (under
 * `homeLogsDir` for a file kept elsewhere, see `timeIndexPath`); resolves the deleted paths. Also
 * deletes the time index of a rotated file that is gone: a rotation moves the log file, then its
 * index, and a prune that ran in between deleted the file before the index came (with `log_retain =
 * 0` under a flood, one `.tidx` left behind every few rotations, never deleted).
 */
export async function pruneRotated(path: string, retain: number, homeLogsDir?: string): Promise<string[]> {
  const { files, orphanIndexes } = await readRotated(path, homeLogsDir);
  for (const index of orphanIndexes) await unlink(index).catch(() => undefined);
  const stale = files.slice(Math.max(0, retain));
  const deleted: string[] = [];
  for (const file of stale) {
    const paths = file.isCompressed ? [file.path] : [file.path, `${file.path}.gz`];
    for (const index of timeIndexPaths(file.path, homeLogsDir)) await unlink(index).catch(() => undefined);
    for (const candidate of paths) {
      try {
        await unlink(candidate);
        deleted.push(candidate);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    }
  }
  return deleted;
}

/**
 * Gzips `path` to `<path>.gz` with streams (the event loop keeps running): it writes a temp file,
 * renames it into place once complete, then deletes the original. Resolves the `.gz` path. The temp
 * file is created afresh: a link planted at its (predictable) name in a log directory others can
 * write is removed or refused, never written through by a daemon that may be root.
 */
export async function gzipFile(path: string): Promise<string> {
  const target = `${path}.gz`;
  const temp = `${target}.tmp`;
  try {
    // zlib loads only when a file is compressed: it costs an idle daemon ~1.5 MB of RSS.
    const { createGzip } = await import('node:zlib');
    // a temp file left by a compression cut short (or a planted link) goes first
    await unlink(temp).catch(() => undefined);
    const out = await open(temp, CREATE_EXCLUSIVE, 0o640);
    await pipeline(createReadStream(path), createGzip(), out.createWriteStream());
    await rename(temp, target);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
  await unlink(path);
  return target;
}

/**
 * A test for the files the rotation of `logPath` writes: the log itself, its rotated copies, their
 * `.gz`, the temp file of a compression and the time indexes (a file watcher must not take them for changes of the app).
 */
export function rotationFileMatcher(logPath: string): (path: string) => boolean {
  const { stem, ext } = splitName(logPath);
  const dir = dirname(logPath);
  const name = new RegExp(
    `^${escapeRegExp(stem)}\\.${STAMP}(?:-\\d+)?${escapeRegExp(ext)}(?:\\.gz(?:\\.tmp)?|${escapeRegExp(TIME_INDEX_SUFFIX)})?$`,
  );
  const index = `${logPath}${TIME_INDEX_SUFFIX}`;
  return (path) => path === logPath || path === index || (dirname(path) === dir && name.test(basename(path)));
}

function splitName(path: string): { stem: string; ext: string } {
  const name = basename(path);
  const ext = extname(name);
  return { stem: name.slice(0, name.length - ext.length), ext };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
