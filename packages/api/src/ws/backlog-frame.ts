import type { LogLine, LogsResult } from '@velos/core';
import { encodeMessage } from './feed.js';

/** What a backlog message says of the older lines it left out. */
export interface BacklogCut {
  omittedLines: number;
  maxBytes: number;
}

/**
 * The `logs` message of a subscription's backlog, at most `maxBytes`: the newest lines whose JSON fits,
 * with `cut` counting the older ones left out (the daemon's own cut included). A backlog is sent at
 * once, so one larger than the client's unsent-bytes limit closed a client that read it promptly as a
 * slow consumer (10 000 lines of 1 KB are 4.3 MB, over the 4 MiB default).
 */
export function backlogFrame(target: string, result: LogsResult, maxBytes: number): Buffer {
  const daemonCut = result.cut === undefined ? {} : { cut: result.cut };
  const whole = encodeMessage({ type: 'logs', target, lines: result.lines, ...daemonCut });
  if (whole.length <= maxBytes) return whole;
  const kept = newestWithin(result.lines, maxBytes - envelopeBytes(target));
  const cut: BacklogCut = {
    omittedLines: result.lines.length - kept.length + (result.cut?.omittedLines ?? 0),
    maxBytes,
  };
  return encodeMessage({ type: 'logs', target, lines: kept, cut });
}

/** The newest `lines` whose JSON, with a comma each, fits in `budget` bytes. */
function newestWithin(lines: LogLine[], budget: number): LogLine[] {
  let bytes = 0;
  let first = lines.length;
  while (first > 0) {
    const size = Buffer.byteLength(JSON.stringify(lines[first - 1])) + 1;
    if (bytes + size > budget) break;
    bytes += size;
    first -= 1;
  }
  return lines.slice(first);
}

/** Bytes of the message around its lines, `cut` with the largest counts included. */
function envelopeBytes(target: string): number {
  const cut: BacklogCut = { omittedLines: Number.MAX_SAFE_INTEGER, maxBytes: Number.MAX_SAFE_INTEGER };
  return encodeMessage({ type: 'logs', target, lines: [], cut }).length;
}
