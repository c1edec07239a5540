import { isVelosError } from '@velos/core';
import { encodeFrame as encodeMsgpackr, FrameDecoder as MsgpackrDecoder } from '@velos/core/codec';
import { describe, expect, it } from 'vitest';
import { encodeFrame, FrameDecoder } from '../src/plain-codec.js';
import { packPlain } from '../src/plain-pack.js';
import { unpackPlain } from '../src/plain-unpack.js';

// Issue 17: the quick paths' small codec must read what the daemon's msgpackr writes into the very
// values core's codec reads, and write what core's codec reads back as the same values.

/** A deterministic pseudo-random generator (mulberry32), so a failure names a reproducible seed. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NUMBERS = [
  0,
  1,
  127,
  128,
  255,
  256,
  65535,
  65536,
  2 ** 32 - 1,
  2 ** 32,
  2 ** 53 - 1,
  -1,
  -32,
  -33,
  -128,
  -129,
  -32768,
  -32769,
  -(2 ** 31),
  -(2 ** 31) - 1,
  -(2 ** 53),
  0.5,
  -1.25,
  1e300,
  Number.MIN_VALUE,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  1796193153726,
];
const STRINGS = [
  '',
  'a',
  'list-0',
  'é',
  '日本語',
  '🚀 rocket',
  'x'.repeat(31),
  'y'.repeat(32),
  'z'.repeat(300),
];

/** A plain value: what a request or an answer of the protocol holds. */
function plainValue(next: () => number, depth = 0): unknown {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const kind = depth > 3 ? Math.floor(next() * 5) : Math.floor(next() * 7);
  if (kind === 0) return pick([null, true, false, undefined]);
  if (kind === 1) return pick(NUMBERS);
  if (kind === 2) return Math.round((next() - 0.5) * 2 ** Math.floor(next() * 40));
  if (kind === 3 || kind === 4) return pick(STRINGS) + (next() < 0.5 ? '' : String(next()));
  const size = Math.floor(next() * (next() < 0.1 ? 70 : 6));
  if (kind === 5) return Array.from({ length: size }, () => plainValue(next, depth + 1));
  return Object.fromEntries(
    Array.from({ length: size }, (_, i) => [`${pick(STRINGS)}${i}`, plainValue(next, depth + 1)]),
  );
}

function viaMsgpackr(message: unknown): unknown {
  return new MsgpackrDecoder().push(encodeMsgpackr(message))[0];
}

describe('the quick paths codec (issue 17)', () => {
  it('reads what msgpackr writes as msgpackr reads it, and writes what msgpackr reads back', () => {
    for (let seed = 1; seed <= 400; seed++) {
      const message = { id: seed, status: 'ok', payload: plainValue(random(seed)) };
      const expected = viaMsgpackr(message);
      expect(new FrameDecoder().push(encodeMsgpackr(message)), `seed ${seed}`).toEqual([expected]);
      expect(new MsgpackrDecoder().push(encodeFrame(message)), `seed ${seed}`).toEqual([expected]);
    }
  });

  it('reads what msgpackr writes for the values beyond plain data: dates, binaries, BigInts, sets, maps', () => {
    const message = {
      id: 1,
      when: [
        new Date(0),
        new Date(1796193153726),
        new Date(-5),
        new Date(2 ** 33 * 1000),
        new Date(Number.NaN),
      ],
      bytes: Buffer.from([1, 2, 3]),
      big: [2n ** 63n - 1n, -(2n ** 63n), 2n ** 64n - 1n],
      set: new Set(['a', 'b']),
      map: new Map<unknown, unknown>([
        [1, 'one'],
        [true, 'yes'],
        [null, 'nothing'],
      ]),
      __proto__: { inherited: true },
      own: JSON.parse('{"__proto__": "key"}'),
      error: new Error('boom'),
    };
    const [plain] = new FrameDecoder().push(encodeMsgpackr(message)) as [Record<string, unknown>];
    const expected = viaMsgpackr(message) as Record<string, unknown>;
    expect(plain).toEqual(expected);
    expect(Buffer.isBuffer(plain.bytes)).toBe(true);
    expect(Object.getPrototypeOf(plain.own)).toBe(Object.prototype);
  });

  it('splits frames as core does: many in one chunk, one across many chunks', () => {
    const messages = [{ id: 1 }, { id: 2, payload: 'x'.repeat(100_000) }, { id: 3, payload: [] }];
    const bytes = Buffer.concat(messages.map((m) => encodeMsgpackr(m)));
    expect(new FrameDecoder().push(bytes)).toEqual(messages);
    const decoder = new FrameDecoder();
    const got: unknown[] = [];
    for (let at = 0; at < bytes.length; at += 777) got.push(...decoder.push(bytes.subarray(at, at + 777)));
    expect(got).toEqual(messages);
  });

  it('rejects bad frames with the errors of core', () => {
    const cases = [
      Buffer.from([0x00, 0x45, 1, 0, 0, 0, 0]),
      Buffer.from([0x56, 0x45, 2, 1, 0, 0, 0, 0xc0]),
      Buffer.from([0x56, 0x45, 1, 0xff, 0xff, 0xff, 0xff]),
      Buffer.from([0x56, 0x45, 1, 1, 0, 0, 0, 0xc1]),
      Buffer.from([0x56, 0x45, 1, 3, 0, 0, 0, 0xd4, 0x00, 0x00]),
      Buffer.from([0x56, 0x45, 1, 3, 0, 0, 0, 0xd4, 0x65, 0x00]),
      Buffer.from([0x56, 0x45, 1, 2, 0, 0, 0, 0x92, 0x01]),
    ];
    for (const frame of cases) {
      const failure = (decode: () => unknown) => {
        try {
          decode();
        } catch (error) {
          return isVelosError(error) ? [error.code, error.message] : ['not a VelosError', String(error)];
        }
        return ['no error'];
      };
      expect(failure(() => new FrameDecoder().push(frame))).toEqual(
        failure(() => new MsgpackrDecoder().push(frame)),
      );
    }
  });

  it('writes only plain data', () => {
    expect(() => packPlain({ when: new Date() })).toThrow(TypeError);
    expect(() => packPlain([Buffer.from('x')])).toThrow(TypeError);
    expect(unpackPlain(packPlain({ a: [1, 'b', null] }))).toEqual({ a: [1, 'b', null] });
  });
});
