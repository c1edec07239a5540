import { readFileSync } from 'node:fs';
import { DAEMON_ALLOCATOR_ENV, type ResponseMessage } from '@velos/core';
import { FRAME_HEADER_BYTES } from '@velos/core/codec';
import { rssFallenToMb, settledRssMb } from '@velos/test-helpers';
import { expect } from 'vitest';

const MIB = 1024 * 1024;

import type { RawClient } from './helpers.js';

/**
 * Runs a test daemon with the heap flags the CLI gives the real one (`DAEMON_NODE_FLAGS`) and the
 * allocator tuning of its launcher, so RSS figures match.
 */
export const DAEMON_ENV = {
  NODE_OPTIONS: '--max-semi-space-size=1 --max-old-space-size=512 --expose-gc',
  ...DAEMON_ALLOCATOR_ENV,
};

/** Resident memory of a process, from /proc/<pid>/status. */
export function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(match![1]) * 1024;
}

/** Resident memory (bytes) once it is at most `limitBytes`, polled every 250 ms; after 15 s, the last reading. */
export async function rssFallenTo(pid: number, limitBytes: number): Promise<number> {
  return (await rssFallenToMb(pid, limitBytes / MIB)) * MIB;
}

/** Resident memory (bytes) once the daemon's collection after a large release has run and RSS stopped moving. */
export async function settledRss(pid: number): Promise<number> {
  return (await settledRssMb(pid)) * MIB;
}

/** True while a process exists. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** A frame header announcing `length` payload bytes. */
export function header(length: number): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head.set([0x56, 0x45, 0x01]);
  head.writeUInt32LE(length, 3);
  return head;
}

/** Pings on its own connection until stopped; proves the daemon keeps answering other clients. */
export function keepPinging(client: RawClient): {
  readonly answered: number;
  /** Milliseconds of the slowest ping so far: how long the daemon answered nobody. */
  readonly slowestMs: number;
  stop(): Promise<number>;
} {
  let isRunning = true;
  let answered = 0;
  let slowestMs = 0;
  const loop = (async () => {
    while (isRunning) {
      const sentAt = Date.now();
      // a deadline, not a speed: a loaded daemon decoding a 12 MB request answers nothing for 20 s and more
      await client.call('ping', undefined, 60_000);
      slowestMs = Math.max(slowestMs, Date.now() - sentAt);
      answered += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    get answered() {
      return answered;
    },
    get slowestMs() {
      return slowestMs;
    },
    async stop() {
      isRunning = false;
      await loop;
      return answered;
    },
  };
}

/** The one `id: 0` error a refused or failed connection gets before it is closed. */
export async function protocolError(client: RawClient): Promise<ResponseMessage> {
  await client.closed;
  expect(client.messages).toHaveLength(1);
  expect(client.messages[0]).toMatchObject({ id: 0, status: 'error' });
  return client.messages[0]!;
}
