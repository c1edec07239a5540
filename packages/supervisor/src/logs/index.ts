/**
 * Log capture of supervised processes (LOG-1, LOG-2, LOG-3).
 *
 * - Lines: plain files without a date format get the pipe's bytes untouched (cut at the last
 *   newline, the partial line carried to the next chunk); a partial final line is written with a
 *   newline at stream end; a line longer than `maxLineBytes` (default 2 MiB) is cut into lines of at
 *   most that size on UTF-8 boundaries, each counted, no byte lost.
 * - Reads: once a read has emptied a pipe it is left alone for 1–16 ms (longer while reads find little,
 *   none once a read finds it full), so a child that writes a line per write() is read in batches
 *   (`read-pacer.ts`); pipes pausing alike end their pauses together, one wake-up for all of them
 *   (`pause-groups.ts`). A line reaches `logs --follow` at most one pause late.
 * - Back-pressure: a pipe is paused while its file has `writeHighWaterBytes` (default 2 MiB) or more
 *   queued and resumed under half of it (the child then blocks in write()); at most one pipe read
 *   (<= 64 KiB, encoded) per attached pipe lands beyond the mark; failed writes count in `dropped`.
 *   A write cut short (disk full) keeps the lines it wrote whole and cuts the torn one off again, so a
 *   file ends on a line boundary (when even that fails, the next write starts with a newline).
 * - Tails: the ring (default 1000 lines, 1 MiB) first, then the files read backwards in 64 KiB blocks.
 *   File lines get their time from the date prefix or the JSON record, else the time index, else the
 *   file's mtime, capped by the next newer line; in a merged plain file their stream is unknown, so
 *   they are reported as `out` and only for `stream: 'all'`. Separate out and err files are merged in
 *   arrival order: batches get `ArrivalOrder` keys, the time index records the key where a run of
 *   one stream starts (each run up to 100 a second per file, then the first of each 10 ms), and a
 *   tail orders file lines by it. After a rotation a tail reads the current
 *   file, then the newest rotated one (gzipped ones decompressed as a stream, keeping only the lines asked for).
 * - Rotation (`rotation` option): before a write would take a file past `maxBytes`, and on a `cron`
 *   schedule (an empty file is left alone), the file is renamed to `<stem>.<UTC time>.<ext>`
 *   (`api-out.log` → `api-out.2026-11-22T01-02-03.456Z.log`) and a new file is opened at the path,
 *   between two writes: no line is lost or written twice. croner loads only when a cron is set. Rotated files are gzipped in the background
 *   (temp file, then rename) and only the newest `retain` are kept. A file exceeds `maxBytes` only
 *   when one pipe read alone is larger. The instances of one app share one writer per file.
 * - `reopen()` closes and reopens the files by path, for external rotators (logrotate) that rename them.
 * - `retarget()` (a config reload) moves the pipeline to other files, rotation or line format in
 *   place: the child's pipes stay attached, the next line goes to the new file.
 */

export { checkCronExpression } from '../cron-schedule.js';
export type { WritevFunction } from './file-writer.js';
export type { LineBatch } from './line-batch.js';
export {
  createLogPipeline,
  DEFAULT_MAX_LINE_BYTES,
  DEFAULT_RING_BYTES,
  DEFAULT_RING_LINES,
  DEFAULT_WRITE_HIGH_WATER_BYTES,
  type LivePacing,
  type LogPipeline,
  type LogPipelineCounters,
  type LogPipelineOptions,
  type LogTarget,
} from './log-pipeline.js';
export {
  DEFAULT_LOG_RETAIN,
  listRotated,
  type RotatedFile,
  type RotationOptions,
  rotatedPath,
} from './log-rotation.js';
