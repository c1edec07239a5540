import { FileWriter, type FileWriterOptions } from './file-writer.js';

interface Shared {
  writer: FileWriter;
  refs: number;
}

const shared = new Map<string, Shared>();
const keys = new WeakMap<FileWriter, string>();

/**
 * The writer of `options.path`, shared by every pipeline that writes there with the same rotation
 * settings (the instances of one app): one descriptor and one queue per file, so that a rotation
 * moves the writes of all of them to the new file at once. Release it with `releaseFileWriter`.
 */
export function acquireFileWriter(options: FileWriterOptions): FileWriter {
  const key = keyOf(options);
  const known = shared.get(key);
  if (known) {
    known.refs += 1;
    return known.writer;
  }
  const writer = new FileWriter(options);
  shared.set(key, { writer, refs: 1 });
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
 * the same writer when nothing changed, or when only the rotation of its file did (applied in place,
 * for every pipeline that shares it: one file has one rotation); otherwise the shared writer of the
 * new file (opened when none is: throws as `logOpenError` when it cannot), and the caller releases `writer`.
 */
export function retargetFileWriter(writer: FileWriter, options: FileWriterOptions): FileWriter {
  const key = keyOf(options);
  const current = keys.get(writer);
  if (current === key) return writer;
  const entry = current === undefined ? undefined : shared.get(current);
  if (writer.path === options.path && entry?.writer === writer && !shared.has(key)) {
    writer.setRotation(options.rotation ?? {});
    shared.delete(current!);
    shared.set(key, entry);
    keys.set(writer, key);
    return writer;
  }
  return acquireFileWriter(options);
}

function keyOf(options: FileWriterOptions): string {
  return `${options.path}\0${JSON.stringify(options.rotation ?? {})}`;
}
