import { statSync } from 'node:fs';
import { join } from 'node:path';
import type { LogLine } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startWsHarness, TOKENS, type WsHarness, waitFor } from './ws-harness.js';
import { TestSocket } from './ws-test-client.js';

/**
 * fixtures/chatty.js lines of flood: `line <n> <2,000 x>`, at full speed, 1.5 s after its start: 20 MB,
 * well over the 4 MiB the daemon keeps for a follow, in few lines (the test's CPU is per line).
 */
const COUNT = 10_000;
const PAD = 2000;
/** The bytes of its out log once every line is written (numbers 1…COUNT, without a date format). */
const FULL_BYTES = (() => {
  let bytes = 0;
  for (let n = 1; n <= COUNT; n += 1) bytes += `line ${n} `.length + PAD + 1;
  return bytes;
})();

let harness: WsHarness;
let socket: TestSocket | undefined;

beforeAll(async () => {
  // the test reads all it was sent at once after its stall: no slow-consumer close meanwhile
  harness = await startWsHarness({ ws: { maxBufferedBytes: 256 * 1024 * 1024 } });
});
afterAll(async () => {
  await socket?.close();
  await harness?.close();
});

describe('the logs topic of a follow that fell behind', () => {
  it('sends the daemon skip marker as {type:"skipped"}, never as a log line', async () => {
    await harness.startApp('flood', 'chatty.js', {
      COUNT: String(COUNT),
      RATE: '0',
      PAD: String(PAD),
      DELAY_MS: '1500',
      STAY: '1',
    });
    socket = await TestSocket.ready(harness.wsUrl, TOKENS.read);
    socket.send({ type: 'subscribe', topic: 'logs', target: 'flood' });
    await waitFor(() => harness.counts.active.followLogs === 1, 'the daemon follow of flood');
    // A reader that reads nothing: this process (server and client) blocks until the daemon has
    // written every line of flood to its file, so its follow of them fell behind.
    const outLog = join(harness.home, 'logs', 'flood-out.log');
    const deadline = Date.now() + 60_000;
    const lock = new Int32Array(new SharedArrayBuffer(4));
    while (sizeOf(outLog) < FULL_BYTES && Date.now() < deadline) Atomics.wait(lock, 0, 0, 20);
    expect(sizeOf(outLog)).toBe(FULL_BYTES);

    const ws = socket;
    const received = () => {
      let lines = 0;
      let skipped = 0;
      for (const m of ws.messages) {
        if (m.type === 'logs') lines += (m.lines as LogLine[]).length;
        if (m.type === 'skipped') skipped += m.count as number;
      }
      return { lines, skipped };
    };
    await waitFor(() => {
      const { lines, skipped } = received();
      return lines + skipped >= COUNT;
    }, 'every line of flood sent or counted as skipped');
    const markers = ws.messages.filter((m) => m.type === 'skipped');
    expect(markers.length).toBeGreaterThan(0);
    for (const marker of markers) {
      expect(marker).toEqual({
        type: 'skipped',
        target: 'flood',
        id: expect.any(Number),
        name: 'flood',
        count: expect.any(Number),
      });
      expect(marker.count as number).toBeGreaterThan(0);
    }
    const logLines = ws.messages.filter((m) => m.type === 'logs').flatMap((m) => m.lines as LogLine[]);
    expect(logLines.filter((line) => line.skipped !== undefined || !line.line.startsWith('line '))).toEqual(
      [],
    );
    expect(received()).toEqual({ lines: logLines.length, skipped: COUNT - logLines.length });
  }, 120_000);
});

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}
