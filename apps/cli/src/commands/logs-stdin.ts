import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { VelosControl } from '@velos/core';
import { createPrivateTempDir } from './private-temp-dir.js';

/** The two log-engine calls of `velos logs`, as the daemon answers them. */
export type LogEngineCalls = Pick<VelosControl, 'analyzeLogs' | 'searchLogs'>;

const NEWLINE = 0x0a;

/**
 * ENG-8: `cat app.log | velos logs --summary -`. The lines of `input` are kept in a private temporary
 * file and read by the daemon's own search and analysis code, in this process: the same answers,
 * limits and output as `velos logs <app>`, without a daemon; `rulesPath` (`--rules`), a JSON or TOML file
 * of rules, is to its lines what an app's `log_rules` are to the app's. Each line's time is the one
 * written in it (see `LogQueryTarget.lineTimes`). `close` deletes the file, as do an exit and SIGINT,
 * SIGTERM or SIGHUP.
 */
export async function stdinLogEngine(
  input: Readable,
  rulesPath?: string,
): Promise<LogEngineCalls & { close(): void }> {
  // a bad rules file is refused before stdin is read
  const logRules =
    rulesPath === undefined ? undefined : await (await import('@velos/log-engine')).readRulesFile(rulesPath);
  const dir = createPrivateTempDir('velos-logs-stdin-');
  const close = dir.remove;
  try {
    const file = join(dir.path, 'stdin.log');
    await pipeline(input, endingWithNewline(), createWriteStream(file, { mode: 0o600 }));
    // not the main entry of @velos/supervisor, the whole daemon: this subpath holds all that is used here
    const { analyzeLogs, searchLogs, validatedControl } = await import('@velos/supervisor/file-log-queries');
    const target = {
      name: 'stdin',
      id: 0,
      outPath: file,
      errPath: file,
      format: 'plain' as const,
      // no time index: a line's time is the one written in it, as `velos-log` and the summary read it
      lineTimes: 'written' as const,
      hasLiveEngine: false,
      ...(logRules === undefined ? {} : { logRules }),
      flushTimeIndex: () => undefined,
    };
    const calls: LogEngineCalls = {
      analyzeLogs: (request) => analyzeLogs(target, request),
      searchLogs: (request) => searchLogs(target, request),
    };
    // the requests are checked with the daemon's schemas and limits; only these two methods are called
    const checked = validatedControl(calls as VelosControl);
    return { analyzeLogs: checked.analyzeLogs, searchLogs: checked.searchLogs, close };
  } catch (error) {
    close();
    throw error;
  }
}

/**
 * Passes bytes on, ending the last line with a newline when the input does not: stdin has ended, so
 * that line is whole (the file readers take a line without its newline for one still being written).
 */
function endingWithNewline(): Transform {
  let last = NEWLINE;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (chunk.length > 0) last = chunk[chunk.length - 1]!;
      done(null, chunk);
    },
    flush(done) {
      done(null, last === NEWLINE ? undefined : Buffer.from('\n'));
    },
  });
}
