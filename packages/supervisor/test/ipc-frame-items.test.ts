import { ErrorCodes, PAYLOAD_LIMITS } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { Harness } from './helpers.js';
import { DAEMON_ENV, header, isAlive, keepPinging, protocolError } from './ipc-helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

/** A `list` request (id 99) whose payload is an array of `count` copies of the one-byte value `item`. */
function listOf(count: number, item: number): Buffer {
  const envelope = Buffer.from([
    0x83, 0xa2, 0x69, 0x64, 0x63, 0xa3, 0x63, 0x6d, 0x64, 0xa4, 0x6c, 0x69, 0x73, 0x74,
  ]);
  const key = Buffer.from([0xa7, ...Buffer.from('payload')]);
  const array = Buffer.from([0xdd, 0, 0, 0, 0]);
  array.writeUInt32BE(count, 1);
  const payload = Buffer.concat([envelope, key, array, Buffer.alloc(count, item)]);
  return Buffer.concat([header(payload.length), payload]);
}

describe('IPC frames that would decode into too many values (real daemon, 512 MB heap)', () => {
  // an 8 MiB frame of empty maps (0x80) or arrays (0x90) decoded into 8 million objects: the daemon
  // died of "JavaScript heap out of memory"
  it.each([
    ['empty maps', 0x80],
    ['empty arrays', 0x90],
  ])(
    'refuses 8 million %s with one PROTOCOL_ERROR and stays up',
    { timeout: 60_000 },
    async (_name, item) => {
      const home = harness.home();
      const { child, client } = await harness.startDaemon(home, DAEMON_ENV);
      const raw = await harness.connect(home);
      raw.socket.write(listOf(8 * 1024 * 1024, item));
      const error = await protocolError(raw);
      expect(error.payload).toEqual({
        code: ErrorCodes.PROTOCOL_ERROR,
        message: `bad frame: more than ${PAYLOAD_LIMITS.maxFrameItems} MessagePack values and keys, the limit of one request`,
      });
      expect(isAlive(child.pid!)).toBe(true);
      expect((await client.request('ping')).status).toBe('ok');
    },
  );

  it('answers a request under the item limit as before: INVALID_ARGUMENT on the same connection', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home, DAEMON_ENV);
    const raw = await harness.connect(home);
    raw.socket.write(listOf(10_000, 0x80));
    const answer = await raw.next((message) => message.id === 99);
    expect(answer.payload).toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: 'list: payload: 10000 items, at most 4096',
    });
    expect((await raw.request('ping')).status).toBe('ok');
    expect((await client.request('ping')).status).toBe('ok');
  });
});

/** A `list` request (id 99) whose payload is one map of `count` distinct keys (`k0`…), each with nil. */
function listOfKeys(count: number): Buffer {
  const envelope = Buffer.from([
    0x83,
    0xa2,
    0x69,
    0x64,
    0x63,
    0xa3,
    0x63,
    0x6d,
    0x64,
    0xa4,
    0x6c,
    0x69,
    0x73,
    0x74,
    0xa7,
    ...Buffer.from('payload'),
  ]);
  const map = Buffer.allocUnsafe(5 + count * 10);
  map[0] = 0xdf;
  map.writeUInt32BE(count, 1);
  let at = 5;
  for (let i = 0; i < count; i += 1) {
    const length = map.write(`k${i}`, at + 1);
    map[at] = 0xa0 + length;
    map[at + 1 + length] = 0xc0;
    at += length + 2;
  }
  const payload = Buffer.concat([envelope, map.subarray(0, at)]);
  return Buffer.concat([header(payload.length), payload]);
}

describe('IPC frames whose maps hold too many keys (real daemon)', () => {
  // a 9 MB frame of one map of 1 000 000 distinct keys (under the 4 000 000-item limit) was decoded
  // into an object of a million properties, then walked: the daemon answered nobody for 3 s idle and
  // ~17 s under load before its INVALID_ARGUMENT
  it('refuses a map of 1 000 000 keys under its request id, before decoding, and keeps serving', {
    timeout: 120_000,
  }, async () => {
    const home = harness.home();
    const { child, client } = await harness.startDaemon(home, DAEMON_ENV);
    const frame = listOfKeys(1_000_000);
    const raw = await harness.connect(home);
    const pinger = keepPinging(await harness.connect(home));
    const sentAt = Date.now();
    raw.socket.write(frame);
    const answer = await raw.next((message) => message.id === 99, 60_000);
    const answeredMs = Date.now() - sentAt;
    await pinger.stop();
    console.log(
      `1 000 000-key map (${frame.length} bytes) answered in ${answeredMs} ms; slowest ping meanwhile ${pinger.slowestMs} ms`,
    );
    expect(answer).toMatchObject({
      status: 'error',
      payload: {
        code: ErrorCodes.INVALID_ARGUMENT,
        message: `list: a map of 1000000 keys, at most ${PAYLOAD_LIMITS.maxObjectEntries}`,
      },
    });
    // the same connection goes on: the frame was whole, only its content was refused
    expect((await raw.request('ping')).status).toBe('ok');
    expect(isAlive(child.pid!)).toBe(true);
    expect((await client.request('ping')).status).toBe('ok');
  });
});
