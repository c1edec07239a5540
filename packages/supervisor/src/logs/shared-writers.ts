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
  const key = `${options.path}\0${JSON.stringify(options.rotation ?? {})}`;
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
