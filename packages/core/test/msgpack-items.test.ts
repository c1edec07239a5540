import { describe, expect, it } from 'vitest';
import { isVelosError } from '../src/errors.js';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../src/frame-codec.js';
import { checkMessagePackItems } from '../src/msgpack-items.js';

function failure(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
  } catch (error) {
    return isVelosError(error)
      ? { code: error.code, message: error.message }
      : { code: '?', message: String(error) };
  }
  return undefined;
}

/** An array32 header claiming `count` items, followed by `count` copies of `item`. */
function arrayOf(count: number, item: number): Buffer {
  const head = Buffer.from([0xdd, 0, 0, 0, 0]);
  head.writeUInt32BE(count, 1);
  return Buffer.concat([head, Buffer.alloc(count, item)]);
}

function frameAround(payload: Buffer): Buffer {
  const head = Buffer.from([0x56, 0x45, 0x01, 0, 0, 0, 0]);
  head.writeUInt32LE(payload.length, 3);
  return Buffer.concat([head, payload]);
}

describe('checkMessagePackItems', () => {
  it('passes every message the codec writes, the types Velos sends included', () => {
    const messages = [
      { id: 1, cmd: 'start', payload: { apps: [{ name: 'api', args: ['a'], env: { K: 'v' } }] } },
      {
        id: 2,
        cmd: 'logs',
        payload: { since: new Date(1_700_000_000_000), bytes: Buffer.from('x'), u: undefined },
      },
      {
        n: [1.5, -1, 2 ** 40, -(2 ** 40), 255, 65_536, 'é'.repeat(40), 's'.repeat(70_000)],
        b: [true, false, null],
      },
      Object.fromEntries(Array.from({ length: 60_000 }, (_, i) => [`k${i}`, i])),
    ];
    for (const message of messages) {
      const payload = encodeFrame(message).subarray(FRAME_HEADER_BYTES);
      expect(failure(() => checkMessagePackItems(payload, 1_000_000))).toBeUndefined();
    }
  });

  it('counts values and keys, and refuses past the limit before decoding', () => {
    const payload = encodeFrame({ a: [1, 2, { b: 3 }] }).subarray(FRAME_HEADER_BYTES);
    // map, "a", array, 1, 2, map, "b", 3
    expect(failure(() => checkMessagePackItems(payload, 8))).toBeUndefined();
    expect(failure(() => checkMessagePackItems(payload, 7))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: 'bad frame: more than 7 MessagePack values and keys, the limit of one request',
    });
  });

  it('refuses a container that claims more items than bytes remain', () => {
    const bad = { code: 'PROTOCOL_ERROR', message: 'bad frame: payload is not valid msgpack' };
    expect(
      failure(() => checkMessagePackItems(Buffer.from([0xdd, 0xff, 0xff, 0xff, 0xff, 0xc0]), 10)),
    ).toEqual(bad);
    expect(
      failure(() => checkMessagePackItems(Buffer.from([0xdf, 0x00, 0x00, 0x00, 0x02, 0xc0, 0xc0]), 10)),
    ).toEqual(bad);
    expect(failure(() => checkMessagePackItems(Buffer.from([0x92, 0xc0]), 10))).toEqual(bad);
    expect(failure(() => checkMessagePackItems(Buffer.alloc(0), 10))).toEqual(bad);
  });

  it('refuses the msgpackr extensions Velos never writes (Set, Error, RegExp, records, references)', () => {
    for (const type of [0x73, 0x65, 0x78, 0x72, 0x62, 0x69, 0x70, 0x42, 0x74]) {
      expect(failure(() => checkMessagePackItems(Buffer.from([0xd4, type, 0x00, 0x90]), 10))).toEqual({
        code: 'PROTOCOL_ERROR',
        message: `bad frame: MessagePack extension type ${type} is not part of the protocol`,
      });
    }
    expect(failure(() => checkMessagePackItems(Buffer.from([0xc7, 0x01, 0x73, 0x00]), 10))?.code).toBe(
      'PROTOCOL_ERROR',
    );
  });
});

describe('FrameDecoder with maxItems', () => {
  it('refuses a frame of 8 million empty maps without building them', () => {
    const frame = frameAround(arrayOf(8_000_000, 0x80));
    const decoder = new FrameDecoder(undefined, 4_000_000);
    expect(failure(() => decoder.push(frame))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: 'bad frame: more than 4000000 MessagePack values and keys, the limit of one request',
    });
  });

  it('decodes frames within the limit, and counts nothing without one', () => {
    const message = { id: 1, cmd: 'list', payload: { items: Array.from({ length: 1000 }, () => ({})) } };
    expect(new FrameDecoder(undefined, 1010).push(encodeFrame(message))).toEqual([message]);
    expect(new FrameDecoder().push(frameAround(arrayOf(100_000, 0x80)))).toEqual([
      Array.from({ length: 100_000 }, () => ({})),
    ]);
  });
});
