import { closeSync, openSync, writeSync } from 'node:fs';

/** The daemon's own log: one timestamped line per call, appended to `daemon.log`. */
export interface DaemonLog {
  (line: string): void;
  close(): void;
}

/** Opens `path` for appending (mode 0600); with `mirror`, every line is also written there. */
export function createDaemonLog(path: string, mirror?: NodeJS.WritableStream): DaemonLog {
  let fd: number | null = openSync(path, 'a', 0o600);
  let echo = mirror;
  // a closed terminal must not turn every log line into an uncaught EPIPE
  echo?.on('error', () => {
    echo = undefined;
  });
  const write = (line: string): void => {
    const text = `${new Date().toISOString()} [${process.pid}] ${line}\n`;
    if (fd !== null) {
      try {
        writeSync(fd, text);
      } catch {
        // a full disk must not take the daemon down with it
      }
    }
    echo?.write(text);
  };
  return Object.assign(write, {
    close() {
      if (fd !== null) closeSync(fd);
      fd = null;
    },
  });
}
