import { FileWriter, type FileWriterOptions } from './file-writer.js';

interface Shared {
  writer: FileWriter;
  refs: number;
  /** The rotation the writer applies, as `rotationKey` gives it. */
  rotation: string;
}

const shared = new Map<string, Shared>();
const keys = new WeakMap<FileWriter, string>();

/**
 * The writer of `options.path`, shared by every pipeline that writes there (the instances of one app,
 * and apps given the same `out_file`): one descriptor and one queue per file, so that a rotation moves
 * the writes of all of them to the new file at once. One file has one rotation: that of the writer's
 * first user, or the last one a config reload set (`retargetFileWriter`). Two writers of one path
 * (two apps with different rotation settings, or one rotating and one not) lost lines: the one that
 * did not rotate wrote on into the renamed file for up to a second, after its gzip had read it (1,010 of
 * 3,000 lines). Release it with `releaseFileWriter`.
 */
export function acquireFileWriter(options: FileWriterOptions): FileWriter {
  const key = keyOf(options);
  const known = shared.get(key);
  if (known) {
    known.refs += 1;
    return known.writer;
  }
  const writer = new FileWriter(options);
  shared.set(key, { writer, refs: 1, rotation: rotationKey(options) });
  keys.set(writer, key);
  return writer;
}

/** How many pipelines hold `writer` (the instances of one app writing to its file): 1 for one not shared. */
export function fileWriterUsers(writer: FileWriter): number {
  const key = keys.get(writer);
  const entry = key === undefined ? undefined : shared.get(key);
  return entry?.writer === writer ? entry.refs : 1;
}

/** Gives back a writer from `acquireFileWriter`; the last user closes it (pending lines written first). */
export function releaseFileWriter(writer: FileWriter): Promise<void> {
  const key = keys.get(writer);
  const entry = key === undefined ? undefined : shared.get(key);
  if (key === undefined || entry === undefined || entry.writer !== writer) return writer.close();
  entry.refs -= 1;
  if (entry.refs > 0) return writer.settled();
  shared.delete(key);
  return writer.close();
}

/**
 * CFG-2: the writer a pipeline that holds `writer` uses once its files or rotation change to `options`:
 * the same writer when its file stays, its rotation changed in place when that changed (for every
 * pipeline that shares it: one file has one rotation); otherwise the shared writer of the new file
 * (opened when none is: throws as `logOpenError` when it cannot), and the caller releases `writer`.
 */
export function retargetFileWriter(writer: FileWriter, options: FileWriterOptions): FileWriter {
  const key = keyOf(options);
  if (keys.get(writer) !== key) return acquireFileWriter(options);
  const entry = shared.get(key);
  const rotation = rotationKey(options);
  if (entry?.writer === writer && entry.rotation !== rotation) {
    writer.setRotation(options.rotation ?? {});
    entry.rotation = rotation;
  }
  return writer;
}

function keyOf(options: FileWriterOptions): string {
  return options.path;
}

function rotationKey(options: FileWriterOptions): string {
  return JSON.stringify(options.rotation ?? {});
}
