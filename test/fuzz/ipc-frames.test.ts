import { encodeFrame, MAX_FRAME_BYTES } from '@velos/core/codec';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanupHomes, expectHealthy, type FuzzDaemon, rssMb, startFuzzDaemon } from './support/daemon.js';
import { cases, inPool, runsFor, show, take } from './support/fuzz-config.js';
import { frameHeader, RawIpc, rawFrame } from './support/raw-ipc.js';

/** How a case leaves: half-close (the daemon must answer what it read, then close), abrupt destroy, or wait for the daemon to close. */
type Finish = 'end' | 'destroy' | 'wait';

/** One malformed byte stream sent on a fresh connection, and the error code the daemon must close it with (null: any or none). */
interface FrameCase {
  kind: string;
  bytes: Buffer;
  finish: Finish;
  code: string | null;
}

const PING = encodeFrame({ id: 1, cmd: 'ping', payload: {} });

const finish = fc.constantFrom<Finish>('end', 'destroy', 'wait');

/** True when a decoded value would pass as a request (such values are not malformed). */
function isRequestShaped(value: unknown): boolean {
  return typeof value === 'object' && value !== null && 'id' in value && 'cmd' in value;
}

const frameCase: fc.Arbitrary<FrameCase> = fc.oneof(
  // bytes that are not a frame at all
  fc.uint8Array({ minLength: 1, maxLength: 512 }).map((bytes) => ({
    kind: 'random bytes',
    bytes: Buffer.from(bytes),
    finish: 'end' as Finish,
    code: bytes[0] === 0x56 && (bytes.length < 2 || bytes[1] === 0x45) ? null : 'PROTOCOL_ERROR',
  })),
  // a header announcing more than 16 MiB
  fc
    .tuple(
      fc.integer({ min: MAX_FRAME_BYTES + 1, max: 0xffffffff }),
      fc.uint8Array({ maxLength: 64 }),
      finish,
    )
    .map(([length, tail, how]) => ({
      kind: 'huge length',
      bytes: Buffer.concat([frameHeader(length), tail]),
      finish: (how === 'destroy' ? 'destroy' : 'wait') as Finish,
      code: 'FRAME_TOO_LARGE',
    })),
  // a header of another protocol version or wrong magic
  fc
    .tuple(
      fc.integer({ min: 0, max: 255 }).filter((v) => v !== 1),
      fc.nat({ max: 1024 }),
    )
    .map(([version, length]) => ({
      kind: 'bad version',
      bytes: frameHeader(length, version),
      finish: 'wait' as Finish,
      code: 'PROTOCOL_ERROR',
    })),
  // a valid request cut anywhere, then closed (abruptly or half)
  fc
    .tuple(
      fc.jsonValue({ maxDepth: 3 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom<Finish>('end', 'destroy'),
    )
    .map(([payload, at, how]) => {
      const frame = encodeFrame({ id: 7, cmd: 'list', payload });
      const cut = Math.min(frame.length - 1, Math.floor(frame.length * at));
      return {
        kind: 'truncated frame',
        bytes: frame.subarray(0, cut),
        finish: how,
        code: cut > 0 && how === 'end' ? 'PROTOCOL_ERROR' : null,
      };
    }),
  // an announced length (up to 16 MiB) with fewer bytes sent
  fc
    .tuple(
      fc.integer({ min: 1, max: MAX_FRAME_BYTES }),
      fc.uint8Array({ maxLength: 2048 }),
      fc.constantFrom<Finish>('end', 'destroy'),
    )
    .filter(([length, body]) => body.length < length)
    .map(([length, body, how]) => ({
      kind: 'short body',
      bytes: Buffer.concat([frameHeader(length), body]),
      finish: how,
      code: how === 'end' ? 'PROTOCOL_ERROR' : null,
    })),
  // a frame whose payload is random bytes
  fc.uint8Array({ maxLength: 512 }).map((payload) => ({
    kind: 'random payload',
    bytes: rawFrame(payload),
    finish: 'wait' as Finish,
    code: 'PROTOCOL_ERROR',
  })),
  // random MessagePack values that are not requests
  fc
    .anything({
      maxDepth: 4,
      withBigInt: true,
      withTypedArray: true,
      withDate: true,
      withMap: true,
      withSet: true,
    })
    .filter((value) => !isRequestShaped(value))
    .map((value) => {
      let bytes: Buffer;
      try {
        bytes = encodeFrame(value);
      } catch {
        // a value msgpackr cannot encode (e.g. a null-prototype object with odd keys): send a plain non-request
        bytes = encodeFrame([show(value)]);
      }
      return { kind: 'random msgpack', bytes, finish: 'wait' as Finish, code: 'PROTOCOL_ERROR' };
    }),
  // deeply nested MessagePack (arrays or maps), far past any sane depth
  fc.tuple(fc.integer({ min: 100, max: 200_000 }), fc.boolean()).map(([depth, isMap]) => {
    const unit = isMap ? Buffer.from([0x81, 0xa1, 0x61]) : Buffer.from([0x91]);
    return {
      kind: 'deep nesting',
      bytes: rawFrame(Buffer.concat([Buffer.alloc(depth * unit.length, unit), Buffer.from([0xc0])])),
      finish: 'wait' as Finish,
      code: 'PROTOCOL_ERROR',
    };
  }),
  // requests whose id is not a positive integer, or whose shape is wrong
  fc
    .oneof(
      fc.constantFrom<unknown>(
        0,
        -1,
        -(2 ** 31),
        0.5,
        1.5,
        Number.NaN,
        Infinity,
        2 ** 53,
        '1',
        null,
        true,
        [1],
        { id: 1 },
      ),
      fc.integer({ max: 0 }),
      fc.double().filter((v) => !Number.isSafeInteger(v) || v <= 0),
      fc.string({ maxLength: 8 }),
    )
    .chain((id) =>
      fc.constantFrom<unknown>(
        { id, cmd: 'ping' },
        { id: 3, cmd: id },
        { id: 3 },
        { cmd: 'ping' },
        [3, 'ping'],
        { id, cmd: 'list', payload: {} },
      ),
    )
    .filter((request) => {
      const r = request as { id?: unknown; cmd?: unknown };
      return !(Number.isSafeInteger(r.id) && (r.id as number) > 0 && typeof r.cmd === 'string');
    })
    .map((request) => ({
      kind: 'bad request',
      bytes: encodeFrame(request),
      finish: 'wait' as Finish,
      code: 'PROTOCOL_ERROR',
    })),
  // a good request, then garbage on the same connection: the error closes it (the request's answer may be lost with it)
  fc
    .uint8Array({ minLength: 1, maxLength: 64 })
    .filter((b) => b[0] !== 0x56)
    .map((garbage) => ({
      kind: 'good then garbage',
      bytes: Buffer.concat([PING, garbage]),
      finish: 'wait' as Finish,
      code: 'PROTOCOL_ERROR',
    })),
);

const ALLOWED_CLOSE_CODES = new Set(['PROTOCOL_ERROR', 'FRAME_TOO_LARGE', 'BUSY']);

async function runCase(daemon: FuzzDaemon, item: FrameCase): Promise<void> {
  const raw = await RawIpc.open(daemon.home);
  try {
    raw.socket.write(item.bytes);
    if (item.finish === 'destroy') {
      raw.destroy();
      return;
    }
    if (item.finish === 'end') raw.socket.end();
    await raw.until(() => raw.isClosed, `the daemon to close a '${item.kind}' connection`, 15_000);
    expect(raw.decodeError).toBeNull();
    for (const reply of raw.replies) expect(reply.payload.code).not.toBe('INTERNAL');
    if (item.code !== null) {
      const last = raw.replies.at(-1);
      expect(last, `a '${item.kind}' connection is closed with one error frame`).toMatchObject({
        id: 0,
        status: 'error',
      });
      expect(ALLOWED_CLOSE_CODES.has(last!.payload.code!), `code ${last!.payload.code}`).toBe(true);
      expect(last!.payload.code).toBe(item.code);
    }
    // the request before the garbage may be answered or dropped with the connection, never answered wrongly
    if (item.kind === 'good then garbage')
      for (const reply of raw.repliesTo(1)) expect(reply.status).toBe('ok');
  } finally {
    raw.destroy();
  }
}

let daemon: FuzzDaemon;

beforeAll(async () => {
  daemon = await startFuzzDaemon();
});

afterAll(async () => {
  await daemon?.client.close();
  await cleanupHomes();
});

describe('IPC fuzzing: malformed frames on fresh connections (#15)', () => {
  it('every malformed frame is refused with one error frame and a close; the daemon stays up, answers others, RSS flat', async () => {
    const total = runsFor(0.45);
    const batches = 5;
    await expectHealthy(daemon);
    const before = rssMb(daemon.pid);
    const kinds = new Map<string, number>();
    const all = cases(frameCase, total, 0x1f);
    let tried = 0;
    for (let batch = 0; batch < batches; batch += 1) {
      const size = Math.ceil(total / batches);
      const slice = take(all, size);
      tried += await inPool(slice, 24, async (item) => {
        kinds.set(item.kind, (kinds.get(item.kind) ?? 0) + 1);
        await runCase(daemon, item);
      });
      await expectHealthy(daemon);
    }
    const after = rssMb(daemon.pid);
    console.log(
      `fuzz ipc frames: ${tried} cases (${[...kinds].map(([k, n]) => `${k} ${n}`).join(', ')}); daemon RSS ${before.toFixed(1)} → ${after.toFixed(1)} MB`,
    );
    expect(tried).toBe(total);
    expect(after).toBeLessThan(before + 40);
  });
});

describe('IPC fuzz findings, kept as regression tests', () => {
  it('a frame whose MessagePack is `undefined` (d4 00 00) gets PROTOCOL_ERROR and a close, not silence', async () => {
    const raw = await RawIpc.open(daemon.home);
    try {
      // before the fix the frame vanished and the ping behind it waited for more bytes
      raw.socket.write(Buffer.concat([rawFrame(Buffer.from([0xd4, 0x00, 0x00])), PING]));
      await raw.until(() => raw.isClosed, 'the daemon to close the connection');
      expect(raw.replies.at(-1)).toMatchObject({
        id: 0,
        status: 'error',
        payload: { code: 'PROTOCOL_ERROR' },
      });
    } finally {
      raw.destroy();
    }
    await expectHealthy(daemon);
  });
});
