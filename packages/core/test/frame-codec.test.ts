import { describe, expect, it } from 'vitest';
import { isVelosError } from '../src/errors.js';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder, MAX_FRAME_BYTES } from '../src/frame-codec.js';

function header(length: number, magic = [0x56, 0x45], version = 1): Buffer {
  const head = Buffer.alloc(FRAME_HEADER_BYTES);
  head[0] = magic[0]!;
  head[1] = magic[1]!;
  head[2] = version;
  head.writeUInt32LE(length, 3);
  return head;
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return isVelosError(error) ? error.code : 'not-a-velos-error';
  }
  return undefined;
}

describe('frame codec', () => {
  it('round-trips messages with the documented header', () => {
    const message = { id: 7, cmd: 'start', payload: { apps: [{ name: 'api', args: ['a', 'b'] }], n: null } };
    const frame = encodeFrame(message);
    expect([...frame.subarray(0, 3)]).toEqual([0x56, 0x45, 0x01]);
    expect(frame.readUInt32LE(3)).toBe(frame.length - FRAME_HEADER_BYTES);
    expect(new FrameDecoder().push(frame)).toEqual([message]);
  });

  it('reassembles frames split at every byte and several frames in one chunk', () => {
    const messages = [
      { id: 1, status: 'ok' },
      { id: 2, status: 'stream', payload: { lines: ['x'.repeat(300)] } },
    ];
    const bytes = Buffer.concat(messages.map((m) => encodeFrame(m)));
    const decoder = new FrameDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < bytes.length; i += 1) out.push(...decoder.push(bytes.subarray(i, i + 1)));
    expect(out).toEqual(messages);
    expect(decoder.pendingBytes).toBe(0);
    expect(new FrameDecoder().push(bytes)).toEqual(messages);
  });

  it('rejects wrong magic, unknown versions, oversized claims and bad payloads', () => {
    expect(codeOf(() => new FrameDecoder().push(Buffer.from('GET / HTTP/1.1\r\n\r\n')))).toBe(
      'PROTOCOL_ERROR',
    );
    expect(codeOf(() => new FrameDecoder().push(header(1, [0x56, 0x45], 9)))).toBe('PROTOCOL_ERROR');
    expect(codeOf(() => new FrameDecoder().push(header(100 * 1024 * 1024)))).toBe('FRAME_TOO_LARGE');
    expect(
      codeOf(() => new FrameDecoder().push(Buffer.concat([header(3), Buffer.from([0xd9, 0x10, 0x41])]))),
    ).toBe('PROTOCOL_ERROR');
  });

  it('refuses a payload that decodes to undefined instead of swallowing it (fuzz finding)', () => {
    const undefinedFrame = Buffer.concat([header(3), Buffer.from([0xd4, 0x00, 0x00])]);
    expect(codeOf(() => new FrameDecoder().push(undefinedFrame))).toBe('PROTOCOL_ERROR');
    expect(codeOf(() => new FrameDecoder().push(encodeFrame(undefined)))).toBe('PROTOCOL_ERROR');
  });

  it('waits for the rest of a truncated frame without emitting anything', () => {
    const frame = encodeFrame({ id: 3, cmd: 'ping' });
    const decoder = new FrameDecoder();
    expect(decoder.push(frame.subarray(0, frame.length - 1))).toEqual([]);
    expect(decoder.pendingBytes).toBe(frame.length - 1);
  });

  it('refuses to encode a payload over the limit', () => {
    expect(codeOf(() => encodeFrame({ blob: Buffer.alloc(MAX_FRAME_BYTES + 1) }))).toBe('FRAME_TOO_LARGE');
  });

  it('decodes one message at a time with write and next', () => {
    const decoder = new FrameDecoder();
    decoder.write(Buffer.concat([encodeFrame({ id: 1 }), encodeFrame({ id: 2 })]));
    expect(decoder.next()).toEqual({ id: 1 });
    expect(decoder.pendingBytes).toBeGreaterThan(0);
    expect(decoder.next()).toEqual({ id: 2 });
    expect(decoder.next()).toBeUndefined();
    expect(decoder.pendingBytes).toBe(0);
  });

  it('holds the bytes of a split frame as they came, not the length it claims, and copies nothing before it is complete', () => {
    const decoder = new FrameDecoder();
    decoder.write(header(MAX_FRAME_BYTES));
    for (let i = 0; i < 3; i += 1) {
      decoder.write(Buffer.alloc(40_000, 0x61));
      expect(decoder.next()).toBeUndefined();
    }
    expect(decoder.isMidFrame).toBe(true);
    expect(decoder.announcedBytes).toBe(MAX_FRAME_BYTES);
    expect(decoder.pendingBytes).toBe(FRAME_HEADER_BYTES + 120_000);
    // the chunks and their bookkeeping only: no frame buffer grown ahead of them (it was 128 KiB)
    expect(decoder.heldBytes).toBeGreaterThanOrEqual(120_000);
    expect(decoder.heldBytes).toBeLessThan(121_000);
    decoder.dispose();
    expect(decoder.heldBytes).toBe(0);
  });

  it('joins a frame split across chunks of any size, the next frame starting in its last chunk', () => {
    const first = { id: 1, cmd: 'start', payload: { text: 'a'.repeat(150_000) } };
    const second = { id: 2, cmd: 'ping' };
    const bytes = Buffer.concat([encodeFrame(first), encodeFrame(second)]);
    const decoder = new FrameDecoder();
    const out: unknown[] = [];
    const cuts = [1, 5, 7, 9, 70_000, 140_000, bytes.length - 3, bytes.length];
    let from = 0;
    for (const cut of cuts) {
      out.push(...decoder.push(bytes.subarray(from, cut)));
      from = cut;
    }
    expect(out).toEqual([first, second]);
    expect(decoder.announcedBytes).toBe(0);
    expect(decoder.heldBytes).toBe(0);
  });

  it('holds nothing once a split frame is decoded', () => {
    const message = { id: 9, payload: 'z'.repeat(300_000) };
    const frame = encodeFrame(message);
    const decoder = new FrameDecoder();
    const out: unknown[] = [];
    for (let i = 0; i < frame.length; i += 65_536) out.push(...decoder.push(frame.subarray(i, i + 65_536)));
    expect(out).toEqual([message]);
    expect(decoder.heldBytes).toBe(0);
    expect(decoder.isMidFrame).toBe(false);
  });

  it('encodes messages after a large one (whose encode buffer is dropped) and after an oversized one', () => {
    const large = { id: 1, lines: Array.from({ length: 40 }, (_, i) => `${i}`.padEnd(64 * 1024, 'x')) };
    const small = { id: 2, cmd: 'ping' };
    const decoder = new FrameDecoder();
    expect(decoder.push(encodeFrame(large))).toEqual([large]);
    expect(decoder.lastFrameBytes).toBeGreaterThan(40 * 64 * 1024);
    expect(decoder.push(encodeFrame(small))).toEqual([small]);
    expect(decoder.lastFrameBytes).toBeLessThan(64);
    expect(codeOf(() => encodeFrame({ blob: Buffer.alloc(MAX_FRAME_BYTES + 1) }))).toBe('FRAME_TOO_LARGE');
    expect(decoder.push(encodeFrame(small))).toEqual([small]);
  });

  it('applies a smaller frame limit when given one', () => {
    expect(codeOf(() => new FrameDecoder(1024).push(header(1025)))).toBe('FRAME_TOO_LARGE');
  });
});
