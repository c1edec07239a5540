import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { VelosEvent } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { openEventFile } from '../../src/events/event-file.js';

const dirs: string[] = [];

function tempPath(): string {
  const dir = mkdtempSync(join(tmpdir(), 'velos-event-file-'));
  dirs.push(dir);
  return join(dir, 'events.jsonl');
}

function event(seq: number, message = `event ${seq}`): VelosEvent {
  return { seq, at: 1_700_000_000_000 + seq, kind: 'process.online', severity: 'info', message };
}

/** Every event of the file newest first, by the asynchronous scan; the blocking one must agree. */
async function scanAll(file: ReturnType<typeof openEventFile>): Promise<VelosEvent[]> {
  const seen: VelosEvent[] = [];
  await file.scanBackwards((e) => {
    seen.push(e);
    return true;
  });
  const seenSync: VelosEvent[] = [];
  file.scanBackwardsSync((e) => {
    seenSync.push(e);
    return true;
  });
  expect(seenSync).toEqual(seen);
  return seen;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('event file', () => {
  it('appends one JSON line per event (mode 0600) and scans them newest first', async () => {
    const path = tempPath();
    const file = openEventFile(path);
    file.append([event(1), event(2)]);
    file.append([event(3)]);
    expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(3);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect((await scanAll(file)).map((e) => e.seq)).toEqual([3, 2, 1]);
    expect(openEventFile(path).lastSeq()).toBe(3);
    file.close();
  });

  it('stops scanning when the visitor returns false', async () => {
    const path = tempPath();
    const file = openEventFile(path);
    file.append([1, 2, 3, 4, 5].map((seq) => event(seq)));
    const seen: number[] = [];
    await file.scanBackwards((e) => {
      seen.push(e.seq);
      return e.seq > 4;
    });
    expect(seen).toEqual([5, 4]);
    file.close();
  });

  it('rotates to events.jsonl.1 once the file reaches maxBytes, keeping one rotated file', async () => {
    const path = tempPath();
    const file = openEventFile(path, { maxBytes: 1000 });
    let seq = 0;
    // each event is about 110 bytes: 10 of them pass 1000 bytes
    while (!existsSync(`${path}.1`)) file.append([event(++seq)]);
    expect(seq).toBeGreaterThan(5);
    expect(existsSync(path)).toBe(false);
    const firstRotated = seq;
    // the newest event is in the rotated file: lastSeq finds it there
    expect(openEventFile(path).lastSeq()).toBe(firstRotated);
    for (let i = 0; i < 3; i += 1) file.append([event(++seq)]);
    expect(openEventFile(path).lastSeq()).toBe(seq);
    const all = (await scanAll(file)).map((e) => e.seq);
    expect(all).toEqual(Array.from({ length: seq }, (_, i) => seq - i));
    // a second rotation drops the first rotated file's events
    while (statSync(`${path}.1`).size > 0 && (await scanAll(file)).at(-1)!.seq === 1)
      file.append([event(++seq)]);
    const kept = (await scanAll(file)).map((e) => e.seq);
    expect(kept[0]).toBe(seq);
    expect(kept.at(-1)).toBeGreaterThan(1);
    expect(statSync(`${path}.1`).size).toBeLessThan(1000 + 200);
    file.close();
  });

  it('decodes lines cut by chunk boundaries whole, multi-byte characters and lines longer than a chunk included', async () => {
    const path = tempPath();
    const writer = openEventFile(path);
    const messages = [
      'plain',
      'é'.repeat(50),
      '€😀'.repeat(40),
      `long ${'ü😀'.repeat(300)}`,
      '日本語のメッセージ',
      '😀',
    ];
    const events = Array.from({ length: 60 }, (_, i) =>
      event(i + 1, `${messages[i % messages.length]} #${i + 1}`),
    );
    writer.append(events);
    writer.close();
    const expected = [...events].reverse();
    // every chunk size from tiny (splits inside almost every character) to larger than the file
    for (const chunkBytes of [3, 5, 7, 64, 1000, 4096, 1 << 20]) {
      const reader = openEventFile(path, { chunkBytes });
      expect(await scanAll(reader), `chunkBytes ${chunkBytes}`).toEqual(expected);
      expect(reader.lastSeq()).toBe(60);
    }
  });

  it('skips lines that do not parse or are not events, and lastSeq ignores them', async () => {
    const path = tempPath();
    const file = openEventFile(path, { chunkBytes: 16 });
    file.append([event(1)]);
    appendFileSync(path, 'not json at all\n{"seq":"two"}\n\n[1,2]\n');
    file.append([event(2)]);
    appendFileSync(path, '{"seq":3,"kind":"process.online"');
    expect((await scanAll(file)).map((e) => e.seq)).toEqual([2, 1]);
    expect(openEventFile(path).lastSeq()).toBe(2);
    file.close();
  });

  it('starts a new line after a line cut short by a crash, so the next event is not lost', async () => {
    const path = tempPath();
    const first = openEventFile(path);
    first.append([event(1)]);
    first.close();
    appendFileSync(path, '{"seq":2,"at":1,"kind":"process.onl');
    const second = openEventFile(path);
    second.append([event(3)]);
    second.close();
    expect((await scanAll(openEventFile(path))).map((e) => e.seq)).toEqual([3, 1]);
  });

  it('reports a write that fails to onError and keeps working', async () => {
    const path = join(tempPath(), 'missing-dir', 'events.jsonl');
    const errors: unknown[] = [];
    const file = openEventFile(path, { onError: (error) => errors.push(error) });
    file.append([event(1)]);
    expect(errors).toHaveLength(1);
    expect(file.lastSeq()).toBe(0);
    expect(await scanAll(file)).toEqual([]);
  });
});
