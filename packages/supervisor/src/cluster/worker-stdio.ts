import { closeSync, constants, openSync } from 'node:fs';
import type { Socket } from 'node:net';
import { openFifoReader } from '../orphans/fifo-stdio.js';
import { ensureFifoPaths, isOwnFifo, laneFifoPath } from '../orphans/run-files.js';
import type { ProcessRecord } from '../process-record.js';

/** The stdout/stderr FIFOs of one cluster worker, as the daemon prepares them before the fork. */
export interface WorkerStdio {
  readonly lane: number;
  /** The FIFO paths the primary opens for the worker (null: its output is dropped). */
  readonly out: string | null;
  readonly err: string | null;
  /** Feeds the FIFOs into the process's log pipeline, tagged with the worker's pid. */
  attach(record: ProcessRecord, pid: number): void;
  /** Closes the daemon's own write ends (kept so the readers see no EOF before the worker holds its ends). */
  release(): void;
  /** The fork failed: closes everything. */
  cancel(): void;
}

/**
 * Prepares the FIFOs of lane `lane` of process `id` (SUP-13): as a fork-mode child's, the worker's
 * stdout and stderr are FIFOs it holds read-write, so its output survives the daemon and a later
 * daemon reads on where this one stopped. Without FIFOs (they cannot be made) the output is dropped.
 */
export async function openWorkerStdio(
  runDir: string,
  id: number,
  lane: number,
  log: (line: string) => void,
): Promise<WorkerStdio> {
  const paths = (['out', 'err'] as const).map((which) => laneFifoPath(runDir, id, lane, which));
  const holds: number[] = [];
  const readers: Socket[] = [];
  try {
    if (!paths.every(isOwnFifo)) await ensureFifoPaths(runDir, paths);
    for (const path of paths) {
      // the write end first: a non-blocking reader opened without any writer would read EOF at once
      holds.push(openSync(path, constants.O_RDWR));
      readers.push(openFifoReader(path));
    }
  } catch (error) {
    for (const fd of holds) closeSync(fd);
    for (const reader of readers) reader.destroy();
    log(`process ${id}: cannot open its stdio FIFOs, the worker's output is dropped: ${error}`);
    return {
      lane,
      out: null,
      err: null,
      attach: () => undefined,
      release: () => undefined,
      cancel: () => undefined,
    };
  }
  let isReleased = false;
  const release = (): void => {
    if (isReleased) return;
    isReleased = true;
    for (const fd of holds) closeSync(fd);
  };
  return {
    lane,
    out: paths[0]!,
    err: paths[1]!,
    attach: (record, pid) => attachReaders(record, readers, pid),
    release,
    cancel() {
      release();
      for (const reader of readers) reader.destroy();
    },
  };
}

/** Reads again the FIFOs of a worker taken over from a daemon that died (its output meanwhile included). */
export function reopenWorkerStdio(
  runDir: string,
  record: ProcessRecord,
  lane: number,
  pid: number,
  log: (line: string) => void,
): void {
  const readers: Array<Socket | null> = [];
  for (const which of ['out', 'err'] as const) {
    try {
      readers.push(openFifoReader(laneFifoPath(runDir, record.id, lane, which)));
    } catch (error) {
      readers.push(null);
      log(`process ${record.id} (${record.app.spec.name}): cannot read its ${which} FIFO again: ${error}`);
    }
  }
  attachReaders(record, readers, pid);
}

function attachReaders(record: ProcessRecord, readers: Array<Socket | null>, pid: number): void {
  const [out, err] = readers;
  try {
    if (out) record.pipeline.attach(out, 'out', pid);
    if (err) record.pipeline.attach(err, 'err', pid);
  } catch {
    // the process was deleted and its pipeline closed: nothing reads this worker's output
    for (const reader of readers) reader?.destroy();
  }
}
