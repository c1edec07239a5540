import type { LogLine, Subscription } from '@velos/core';
import type { DaemonExtension } from '@velos/supervisor';

/** The stream the apps' lines are printed on: stdout, as `process.stdout` is typed where it matters. */
export interface OutputStream {
  write(text: string): boolean;
  readonly writableLength: number;
}

/** Bytes waiting for a slow stdout beyond which app lines are counted and dropped, not held in memory. */
export const MAX_PENDING_OUTPUT_BYTES = 4 * 1024 * 1024;

/**
 * A daemon extension for `velos-server --app-logs`: every app's output on `out` as `<name> | line`
 * (`<name> (err) | line` for stderr), as `velos start --no-daemon` prints it, for `docker logs` and
 * journald. It follows from its first apply, before the config file's apps start, so their first lines
 * are printed; while `out` holds more than `MAX_PENDING_OUTPUT_BYTES` lines are dropped and then counted
 * in one line (the log files keep them all).
 */
export function createAppOutputEcho(out: OutputStream): DaemonExtension {
  let follow: Subscription<LogLine[]> | null = null;
  return {
    name: 'app-logs',
    async apply(host): Promise<undefined> {
      if (follow !== null) return;
      const current = host.control.followLogs({ lines: 0 });
      follow = current;
      void printLines(current, out).catch((error: unknown) => host.log(`app-logs: ${String(error)}`));
    },
    async close() {
      follow?.cancel();
    },
  };
}

async function printLines(lines: AsyncIterable<LogLine[]>, out: OutputStream): Promise<void> {
  let dropped = 0;
  for await (const batch of lines) {
    if (out.writableLength > MAX_PENDING_OUTPUT_BYTES) {
      dropped += batch.length;
      continue;
    }
    const notice = dropped > 0 ? `velos-server: ${dropped} app lines not printed: stdout was too slow\n` : '';
    dropped = 0;
    out.write(notice + batch.map(formatLine).join(''));
  }
}

function formatLine(line: LogLine): string {
  return `${line.name}${line.stream === 'err' ? ' (err)' : ''} | ${line.line}\n`;
}
