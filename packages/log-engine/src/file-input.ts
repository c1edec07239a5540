import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { inspectFirstChunk } from './binary-input.js';
import { createError, LogEngineErrorCodes } from './errors.js';
import { splitLines } from './line-splitter.js';
import { LogEngine, type LogEngineOptions } from './log-engine.js';
import type { LogRecord } from './log-record.js';
import type { Summary, SummaryOptions } from './summary.js';

/**
 * Reads a log file (a path) or a stream (such as `process.stdin`) line by line as records (`splitLines`:
 * lines end at `\n`; `\r\n` and a missing final newline are handled, a lone `\r` stays in its line).
 * Throws `IO_ERROR` when the file cannot be read. `onBinary` is called once, before the first record,
 * when the input's first chunk looks like binary data rather than text (`looksBinary`).
 */
export async function* readLogRecords(
  source: string | Readable,
  options: { stream?: 'out' | 'err'; onBinary?: (() => void) | undefined } = {},
): AsyncGenerator<LogRecord, void, undefined> {
  let input: Readable;
  if (typeof source === 'string') {
    try {
      const info = await stat(source);
      if (!info.isFile()) throw new Error('not a regular file');
    } catch (error) {
      throw createError(
        LogEngineErrorCodes.IO_ERROR,
        `${source}: cannot read: ${(error as Error).message}`,
        error,
      );
    }
    input = createReadStream(source);
  } else {
    input = source;
  }
  const stream = options.stream;
  const lines = splitLines(options.onBinary ? inspectFirstChunk(input, options.onBinary) : input);
  try {
    while (true) {
      let next: IteratorResult<string, void>;
      try {
        next = await lines.next();
      } catch (error) {
        throw createError(
          LogEngineErrorCodes.IO_ERROR,
          `cannot read log input: ${(error as Error).message}`,
          error,
        );
      }
      if (next.done) return;
      const line = next.value;
      yield stream === undefined ? { line } : { stream, line };
    }
  } finally {
    // a reader that stops early (search --limit) closes the file
    await lines.return();
  }
}

/**
 * Summarises a log file (or a stream) without holding it in memory.
 *
 * @example
 * const summary = await summarizeFile('/var/log/app.log');
 */
export async function summarizeFile(
  source: string | Readable,
  options: SummaryOptions & LogEngineOptions = {},
): Promise<Summary> {
  const engine = new LogEngine(options);
  for await (const record of readLogRecords(source)) engine.push(record);
  engine.flush();
  return engine.summary(options);
}
