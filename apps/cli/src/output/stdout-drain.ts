/**
 * Writes `text` (or bytes) to stdout; when stdout's buffer is full (a slow reader: `velos logs -f | less`, a pipe
 * nobody reads), returns a promise that settles once it drained, or once stdout is gone (its EPIPE is
 * handled where the CLI handles it: report-error.ts). A follow awaits it before reading the next batch,
 * so its memory stays bounded and the back-pressure reaches the daemon, which drops what a slow
 * reader cannot take (see docs/protocol.md).
 * @example
 * await writeStdout(`${lines.join('\n')}\n`);
 */
export function writeStdout(text: string | Uint8Array): Promise<void> | undefined {
  const stdout = process.stdout;
  if (stdout.write(text)) return undefined;
  return new Promise((resolve) => {
    const done = () => {
      stdout.off('drain', done);
      stdout.off('close', done);
      stdout.off('error', done);
      resolve();
    };
    stdout.on('drain', done);
    stdout.on('close', done);
    stdout.on('error', done);
  });
}
