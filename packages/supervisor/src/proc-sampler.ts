import { readdirSync } from 'node:fs';
import { parseStatBytes, readStatBytes, STAT_BYTES, type StatFigures } from './proc-stat-bytes.js';

const ZOMBIE = 'Z'.charCodeAt(0);

/** Tree sums of one `sumTree` call. */
export interface TreeSums {
  ticks: number;
  rssPages: number;
}

/**
 * The monitor's view of every process of the machine, rebuilt by each `scan` into typed arrays that
 * are reused from one scan to the next, so that sampling makes next to no garbage (issue 17: the
 * object-per-process scan grew the daemon's young generation and malloc heap by ~2 MB as soon as one
 * app ran). Rows are indexed by an open-addressing table of pids; children and process groups are
 * linked lists through the rows.
 */
export class ProcSampler {
  /** Rows filled by the last scan. */
  count = 0;
  /** Rows the last `sumTree` visited (their indexes are in `visited[0, visitedCount)`). */
  visitedCount = 0;
  pids = new Int32Array(0);
  startTicks = new Float64Array(0);
  visited = new Int32Array(0);
  #ppids = new Int32Array(0);
  #pgrps = new Int32Array(0);
  #ticks = new Float64Array(0);
  #rss = new Float64Array(0);
  #firstChild = new Int32Array(0);
  #nextSibling = new Int32Array(0);
  #nextInGroup = new Int32Array(0);
  #seenAt = new Uint32Array(0);
  #epoch = 0;
  /** pid → row + 1 and pgrp → first row + 1 (0: empty), open addressing over `#hashMask + 1` slots. */
  #pidKeys = new Int32Array(0);
  #pidRows = new Int32Array(0);
  #groupKeys = new Int32Array(0);
  #groupRows = new Int32Array(0);
  #hashMask = 0;
  readonly #figures: StatFigures = { state: 0, ppid: 0, pgrp: 0, ticks: 0, startTicks: 0, rssPages: 0 };

  /** Reads `/proc/<pid>/stat` of every process (zombies included, as the tree walk of `takeSnapshot`). */
  scan(): void {
    let entries: string[];
    try {
      entries = readdirSync('/proc');
    } catch {
      entries = [];
    }
    if (entries.length > this.pids.length) this.#grow(entries.length * 2);
    this.#pidKeys.fill(0);
    this.#groupKeys.fill(0);
    let count = 0;
    for (const entry of entries) {
      const code = entry.charCodeAt(0);
      if (code < 48 || code > 57) continue;
      const pid = Number(entry);
      const length = readStatBytes(pid);
      if (length < 0 || !parseStatBytes(STAT_BYTES, length, this.#figures)) continue;
      const row = count;
      count += 1;
      this.pids[row] = pid;
      this.#ppids[row] = this.#figures.ppid;
      this.#pgrps[row] = this.#figures.pgrp;
      this.#ticks[row] = this.#figures.ticks;
      this.#rss[row] = this.#figures.rssPages;
      this.startTicks[row] = this.#figures.startTicks;
      this.#firstChild[row] = -1;
      this.#nextInGroup[row] = this.#put(this.#groupKeys, this.#groupRows, this.#figures.pgrp, row);
      this.#put(this.#pidKeys, this.#pidRows, pid, row);
    }
    this.count = count;
    for (let row = 0; row < count; row += 1) {
      const parent = this.rowOf(this.#ppids[row]!);
      this.#nextSibling[row] = parent < 0 ? -1 : this.#firstChild[parent]!;
      if (parent >= 0) this.#firstChild[parent] = row;
    }
  }

  /** The row of `pid` in the last scan, or -1. */
  rowOf(pid: number): number {
    return this.#get(this.#pidKeys, this.#pidRows, pid);
  }

  /**
   * Sums CPU ticks and resident pages over the tree of `root` as `treePids` walks it (the root, the
   * members of the group it leads, and every descendant of those by parent links) into `into`; the rows
   * visited are left in `visited`. With `reread`, the stat of each member is read again first (the tree
   * is the last scan's; a member gone since counts 0). False when the last scan does not know `root`
   * as the same process (then nothing is summed): the caller scans again.
   */
  sumTree(root: number, into: TreeSums, reread = false): boolean {
    this.#epoch = (this.#epoch + 1) >>> 0 || 1;
    into.ticks = 0;
    into.rssPages = 0;
    this.visitedCount = 0;
    const rootRow = this.rowOf(root);
    if (rootRow < 0 || (reread && !this.#reread(rootRow))) return false;
    this.#visit(rootRow);
    const groups = this.#groupKeys;
    for (let row = this.#get(groups, this.#groupRows, root); row >= 0; row = this.#nextInGroup[row]!) {
      this.#visit(row);
    }
    // `visited` doubles as the work list: each row's children are appended after it
    for (let i = 0; i < this.visitedCount; i += 1) {
      const row = this.visited[i]!;
      if (reread && i > 0) this.#reread(row);
      into.ticks += this.#ticks[row]!;
      into.rssPages += this.#rss[row]!;
      for (let child = this.#firstChild[row]!; child >= 0; child = this.#nextSibling[child]!) {
        this.#visit(child);
      }
    }
    return true;
  }

  /** Reads the stat of `row`'s process again; a process gone (or its pid reused) counts 0 from now on. */
  #reread(row: number): boolean {
    const length = readStatBytes(this.pids[row]!);
    const figures = this.#figures;
    const isSame =
      length >= 0 &&
      parseStatBytes(STAT_BYTES, length, figures) &&
      figures.startTicks === this.startTicks[row] &&
      figures.state !== ZOMBIE;
    this.#ticks[row] = isSame ? figures.ticks : 0;
    this.#rss[row] = isSame ? figures.rssPages : 0;
    if (!isSame) this.startTicks[row] = -1;
    return isSame;
  }

  #visit(row: number): void {
    if (row < 0 || this.#seenAt[row] === this.#epoch) return;
    this.#seenAt[row] = this.#epoch;
    this.visited[this.visitedCount] = row;
    this.visitedCount += 1;
  }

  #grow(rows: number): void {
    this.pids = new Int32Array(rows);
    this.startTicks = new Float64Array(rows);
    this.visited = new Int32Array(rows);
    this.#ppids = new Int32Array(rows);
    this.#pgrps = new Int32Array(rows);
    this.#ticks = new Float64Array(rows);
    this.#rss = new Float64Array(rows);
    this.#firstChild = new Int32Array(rows);
    this.#nextSibling = new Int32Array(rows);
    this.#nextInGroup = new Int32Array(rows);
    this.#seenAt = new Uint32Array(rows);
    let slots = 16;
    while (slots < rows * 2) slots *= 2;
    this.#hashMask = slots - 1;
    this.#pidKeys = new Int32Array(slots);
    this.#pidRows = new Int32Array(slots);
    this.#groupKeys = new Int32Array(slots);
    this.#groupRows = new Int32Array(slots);
  }

  /** Sets `key` → `row` (keys are pids; 0, the kernel's, is not kept); returns the row it had before, or -1. */
  #put(keys: Int32Array, rows: Int32Array, key: number, row: number): number {
    if (key <= 0) return -1;
    let slot = Math.imul(key, 0x9e3779b1) & this.#hashMask;
    while (keys[slot] !== 0 && keys[slot] !== key) slot = (slot + 1) & this.#hashMask;
    const previous = keys[slot] === key ? rows[slot]! - 1 : -1;
    keys[slot] = key;
    rows[slot] = row + 1;
    return previous;
  }

  #get(keys: Int32Array, rows: Int32Array, key: number): number {
    if (keys.length === 0 || key <= 0) return -1;
    let slot = Math.imul(key, 0x9e3779b1) & this.#hashMask;
    while (keys[slot] !== 0) {
      if (keys[slot] === key) return rows[slot]! - 1;
      slot = (slot + 1) & this.#hashMask;
    }
    return -1;
  }
}
