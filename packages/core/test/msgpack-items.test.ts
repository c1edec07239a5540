import { describe, expect, it } from 'vitest';
import { isVelosError } from '../src/errors.js';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../src/frame-codec.js';
import { checkMessagePackItems } from '../src/msgpack-items.js';
import { PAYLOAD_LIMITS } from '../src/payload-limits.js';
import { RefusedRequest, readRequestEnvelope } from '../src/refused-request.js';

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

/** A map32 of `count` distinct keys (`${prefix}0`, `${prefix}1`…, under 32 bytes), each with the value nil. */
function mapOf(count: number, prefix = 'k'): Buffer {
  const out = Buffer.allocUnsafe(5 + count * (prefix.length + 9));
  out[0] = 0xdf;
  out.writeUInt32BE(count, 1);
  let at = 5;
  for (let i = 0; i < count; i += 1) {
    const length = out.write(`${prefix}${i}`, at + 1);
    out[at] = 0xa0 + length;
    out[at + 1 + length] = 0xc0;
    at += length + 2;
  }
  return out.subarray(0, at);
}

/** A fixstr or str8. */
function str(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([
    bytes.length < 32 ? Buffer.from([0xa0 + bytes.length]) : Buffer.from([0xd9, bytes.length]),
    bytes,
  ]);
}

/** The request `{id, cmd, payload}` with `payload`'s MessagePack bytes as they are. */
function requestAround(id: number, cmd: string, payload: Buffer): Buffer {
  const idBytes = Buffer.from([0xce, 0, 0, 0, 0]);
  idBytes.writeUInt32BE(id, 1);
  return Buffer.concat([
    Buffer.from([0x83]),
    str('id'),
    idBytes,
    str('cmd'),
    str(cmd),
    str('payload'),
    payload,
  ]);
}

const DAEMON_MAPS = { maxEntries: PAYLOAD_LIMITS.maxObjectEntries, maxValues: PAYLOAD_LIMITS.maxValues };

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

describe('checkMessagePackItems with map limits', () => {
  it('refuses a map of more keys than a request may hold, at its header, before reading the keys', () => {
    // the map announces 1 000 000 keys and holds none: only its header is read
    const payload = Buffer.concat([
      Buffer.from([0xdf, 0x00, 0x0f, 0x42, 0x40]),
      Buffer.alloc(2_000_000, 0xc0),
    ]);
    expect(failure(() => checkMessagePackItems(payload, 4_000_000, DAEMON_MAPS))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'a map of 1000000 keys, at most 4096',
    });
    expect(failure(() => checkMessagePackItems(payload, 4_000_000))).toBeUndefined();
  });

  it('refuses more keys in all than a request may hold, however they are spread', () => {
    const maps = { maxEntries: 4096, maxValues: 10_000 };
    const payload = Buffer.concat([Buffer.from([0x93]), mapOf(4000), mapOf(4000), mapOf(4000)]);
    expect(failure(() => checkMessagePackItems(payload, 4_000_000, maps))).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'payload: more than 10000 values in one request',
    });
    expect(
      failure(() => checkMessagePackItems(payload, 4_000_000, { ...maps, maxValues: 12_000 })),
    ).toBeUndefined();
  });

  it('passes the largest legitimate request: 1000 apps, each with an env of 495 variables', {
    timeout: 30_000,
  }, () => {
    const apps = Array.from({ length: 1000 }, (_, i) =>
      Buffer.concat([Buffer.from([0x82]), str('name'), str(`app-${i}`), str('env'), mapOf(495, `VAR_${i}_`)]),
    );
    const list = Buffer.from([0xdc, 0, 0]);
    list.writeUInt16BE(1000, 1);
    const payload = Buffer.concat([Buffer.from([0x81]), str('apps'), list, ...apps]);
    const request = requestAround(1, 'start', payload);
    expect(
      failure(() => checkMessagePackItems(request, PAYLOAD_LIMITS.maxFrameItems, DAEMON_MAPS)),
    ).toBeUndefined();
  });
});

describe('readRequestEnvelope', () => {
  it('reads id and cmd without decoding the payload, in any order and any integer width', () => {
    for (const id of [1, 200, 70_000, 2 ** 40, Number.MAX_SAFE_INTEGER]) {
      const payload = encodeFrame({ payload: { a: [1, { b: 2 }] }, cmd: 'list', id }).subarray(
        FRAME_HEADER_BYTES,
      );
      const payloadBytes = encodeFrame({ a: [1, { b: 2 }] }).length - FRAME_HEADER_BYTES;
      expect(readRequestEnvelope(payload)).toEqual({ id, cmd: 'list', payloadBytes });
    }
    const map = mapOf(5000);
    expect(readRequestEnvelope(requestAround(7, 'start', map))).toEqual({
      id: 7,
      cmd: 'start',
      payloadBytes: map.length,
    });
    // a payload cut short has no size
    const cut = requestAround(7, 'list', map).subarray(0, 100);
    expect(readRequestEnvelope(cut)).toEqual({ id: 7, cmd: 'list', payloadBytes: null });
  });

  it('gives null for what it cannot read', () => {
    for (const message of [
      { id: 0, cmd: 5 },
      { id: -3 },
      { id: 1.5, cmd: 'x'.repeat(65) },
      [1, 'list'],
      'list',
    ]) {
      const payload = encodeFrame(message).subarray(FRAME_HEADER_BYTES);
      expect(readRequestEnvelope(payload)).toEqual({ id: null, cmd: null, payloadBytes: 0 });
    }
    expect(readRequestEnvelope(Buffer.from([0x82, 0xa2, 0x69, 0x64]))).toEqual({
      id: null,
      cmd: null,
      payloadBytes: 0,
    });
  });
});

describe('FrameDecoder with map limits', () => {
  it('answers a 1 000 000-key map with a RefusedRequest under its id, undecoded, and goes on', {
    timeout: 60_000,
  }, () => {
    const decoder = new FrameDecoder(undefined, PAYLOAD_LIMITS.maxFrameItems, DAEMON_MAPS);
    const ping = { id: 10, cmd: 'ping' };
    const frames = Buffer.concat([
      frameAround(requestAround(9, 'list', mapOf(1_000_000))),
      encodeFrame(ping),
    ]);
    const started = Date.now();
    const [refused, next] = decoder.push(frames);
    // decoding the map took seconds (2.7–7 s on the 2-core machine); the check reads one header
    // (a few ms; the bound leaves room for a machine at load 25, where it took 586 ms of wall time)
    expect(Date.now() - started).toBeLessThan(1500);
    expect(refused).toBeInstanceOf(RefusedRequest);
    const { id, error } = refused as RefusedRequest;
    expect(id).toBe(9);
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'list: a map of 1000000 keys, at most 4096',
    });
    expect(next).toEqual(ping);
  });

  it('refuses such a frame with PROTOCOL_ERROR when it has no id to answer', () => {
    const decoder = new FrameDecoder(undefined, PAYLOAD_LIMITS.maxFrameItems, DAEMON_MAPS);
    expect(failure(() => decoder.push(frameAround(mapOf(5000))))).toEqual({
      code: 'PROTOCOL_ERROR',
      message: 'bad request: a map of 5000 keys, at most 4096',
    });
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
