import { readFileSync } from 'node:fs';
import { DAEMON_ALLOCATOR_ENV, type ResponseMessage } from '@velos/core';
import { FRAME_HEADER_BYTES } from '@velos/core/codec';
import { expect } from 'vitest';
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

/**
 * Resident memory of a process once it is at most `limitBytes` (what a load left behind is collected a
 * second after it ends), polled every 250 ms; after 15 s, the last reading.
 */
export async function rssFallenTo(pid: number, limitBytes: number): Promise<number> {
  const deadline = Date.now() + 15_000;
  let now = rssBytes(pid);
  while (now > limitBytes && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    now = rssBytes(pid);
  }
  return now;
}

/**
 * Resident memory once the daemon's collection after a large release has run (it runs a second after
 * the release) and RSS stopped moving: two readings 250 ms apart within 0.5 MB, at most 5 s more.
 */
export async function settledRss(pid: number): Promise<number> {
  await new Promise((resolve) => setTimeout(resolve, 1500));
  let last = rssBytes(pid);
  for (let i = 0; i < 20; i += 1) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const now = rssBytes(pid);
    if (Math.abs(now - last) < 512 * 1024) return now;
    last = now;
  }
  return last;
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
export function keepPinging(client: RawClient): { readonly answered: number; stop(): Promise<number> } {
  let isRunning = true;
  let answered = 0;
  const loop = (async () => {
    while (isRunning) {
      await client.call('ping', undefined, 5000);
      answered += 1;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  })();
  return {
    get answered() {
      return answered;
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
