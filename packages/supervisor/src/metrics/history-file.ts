import { closeSync, constants, fstatSync, readSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { CREATE_EXCLUSIVE, openNoFollow } from '@velos/core';
import { HISTORY_COLUMNS } from './history-ring.js';
import { HistorySeries, type MinuteSums } from './history-series.js';
import type { HistoryStore } from './history-store.js';

const MAGIC = 'VELOSH01';
const PREFIX_BYTES = MAGIC.length + 4;
const FINE_POINT_BYTES = 8 + 4 * HISTORY_COLUMNS.length;
const COARSE_POINT_BYTES = 4 * HISTORY_COLUMNS.length;
/** Typed arrays are written as the machine lays them out; a big-endian machine neither reads nor writes the file. */
const IS_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** What the header says of one saved series (its points follow the header in this order). */
interface SavedSeries {
  id: number;
  name: string;
  fine: number;
  coarse: number;
  coarseLastMinute: number;
  sums: MinuteSums;
}

interface HistoryHeader {
  savedAt: number;
  intervalMs: number;
  processes: SavedSeries[];
}

/**
 * Writes every series of `store` to `path` (mode 0600) through a fresh temporary file renamed over it,
 * never through a symbolic link: a header (magic, length, JSON) then each series' typed arrays.
 */
export function writeHistoryFile(path: string, store: HistoryStore, now = Date.now()): void {
  if (!IS_LITTLE_ENDIAN) return;
  const processes: SavedSeries[] = [...store.series].map(([id, series]) => ({
    id,
    name: series.name,
    fine: series.fine.count,
    coarse: series.coarse.count,
    coarseLastMinute: series.coarseLastMinute,
    sums: series.sums,
  }));
  const header: HistoryHeader = { savedAt: now, intervalMs: store.intervalMs, processes };
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.write(MAGIC, 0, 'latin1');
  prefix.writeUInt32LE(json.length, MAGIC.length);
  const tmp = `${path}.tmp`;
  try {
    unlinkSync(tmp);
  } catch {
    // nothing left by an earlier write
  }
  const fd = openNoFollow(tmp, CREATE_EXCLUSIVE);
  try {
    writeAll(fd, prefix);
    writeAll(fd, json);
    for (const series of store.series.values()) {
      for (const part of series.fine.byteParts()) writeAll(fd, part);
      for (const part of series.coarse.byteParts()) writeAll(fd, part);
    }
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
}

/**
 * Reads the history file at `path` into `store`, keeping only the series `isKnown` accepts (same id
 * and name); throws on a file that is not one (the caller logs it and goes on without it).
 */
export function readHistoryFile(
  path: string,
  store: HistoryStore,
  isKnown: (id: number, name: string) => boolean,
): number {
  if (!IS_LITTLE_ENDIAN) return 0;
  const fd = openNoFollow(path, constants.O_RDONLY | constants.O_NOFOLLOW, 0o600, true);
  try {
    const size = fstatSync(fd).size;
    const prefix = readExactly(fd, PREFIX_BYTES, 0);
    if (prefix.toString('latin1', 0, MAGIC.length) !== MAGIC) throw new Error('not a Velos history file');
    const headerBytes = prefix.readUInt32LE(MAGIC.length);
    if (PREFIX_BYTES + headerBytes > size) throw new Error('truncated header');
    const header = checkHeader(JSON.parse(readExactly(fd, headerBytes, PREFIX_BYTES).toString('utf8')));
    let offset = PREFIX_BYTES + headerBytes;
    const expected = header.processes.reduce(
      (sum, saved) => sum + saved.fine * FINE_POINT_BYTES + saved.coarse * COARSE_POINT_BYTES,
      offset,
    );
    if (expected !== size) throw new Error(`${size} bytes where the header describes ${expected}`);
    let loaded = 0;
    for (const saved of header.processes) {
      const bytes = saved.fine * FINE_POINT_BYTES + saved.coarse * COARSE_POINT_BYTES;
      if (isKnown(saved.id, saved.name)) {
        const block = readExactly(fd, bytes, offset);
        const series = new HistorySeries(saved.name, store.intervalMs);
        const fineBytes = series.fine.readBytes(block, saved.fine);
        series.coarse.readBytes(block.subarray(fineBytes), saved.coarse);
        series.coarseLastMinute = saved.coarseLastMinute;
        series.sums = saved.sums;
        mergeLive(series, store.series.get(saved.id));
        store.series.set(saved.id, series);
        loaded += 1;
      }
      offset += bytes;
    }
    return loaded;
  } finally {
    closeSync(fd);
  }
}

// Samples taken between the start and the load (seconds of them) are added after the saved ones.
function mergeLive(series: HistorySeries, live: HistorySeries | undefined): void {
  if (!live || live.name !== series.name) return;
  for (let i = 0; i < live.fine.count; i += 1) {
    const [cpu, memory, restarts, logRate] = HISTORY_COLUMNS.map((_, column) => live.fine.valueAt(column, i));
    series.add(live.fine.timeAt(i), { cpu: cpu!, memory: memory!, restarts: restarts!, logRate: logRate! });
  }
  series.lastLines = live.lastLines;
}

function checkHeader(value: unknown): HistoryHeader {
  const header = value as HistoryHeader;
  const isCount = (n: unknown): boolean => Number.isSafeInteger(n) && (n as number) >= 0;
  const isGood =
    typeof header === 'object' &&
    header !== null &&
    Array.isArray(header.processes) &&
    header.processes.every(
      (saved) =>
        isCount(saved?.id) &&
        typeof saved.name === 'string' &&
        isCount(saved.fine) &&
        isCount(saved.coarse) &&
        Number.isSafeInteger(saved.coarseLastMinute) &&
        typeof saved.sums === 'object' &&
        saved.sums !== null &&
        ['minute', 'cpu', 'memory', 'logRate', 'samples', 'logRateSamples'].every(
          (key) => typeof (saved.sums as unknown as Record<string, unknown>)[key] === 'number',
        ),
    );
  if (!isGood) throw new Error('malformed header');
  // JSON wrote a NaN restart count (no sample with one) as null
  for (const saved of header.processes) {
    if (typeof saved.sums.restarts !== 'number') saved.sums.restarts = Number.NaN;
  }
  return header;
}

function readExactly(fd: number, length: number, position: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let read = 0;
  while (read < length) {
    const n = readSync(fd, buffer, read, length - read, position + read);
    if (n === 0) throw new Error('truncated file');
    read += n;
  }
  return buffer;
}

function writeAll(fd: number, bytes: Uint8Array): void {
  let written = 0;
  while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written);
}
