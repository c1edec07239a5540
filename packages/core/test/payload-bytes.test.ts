import { describe, expect, it } from 'vitest';
import { isVelosError } from '../src/errors.js';
import { encodeFrame, FrameDecoder } from '../src/frame-codec.js';
import { payloadBytesBreach, SMALL_PAYLOAD_BYTES } from '../src/payload-bytes.js';
import { PAYLOAD_LIMITS } from '../src/payload-limits.js';
import { RefusedRequest } from '../src/refused-request.js';

/** A fixstr or str8. */
function str(text: string): Buffer {
  const bytes = Buffer.from(text);
  return Buffer.concat([
    bytes.length < 32 ? Buffer.from([0xa0 + bytes.length]) : Buffer.from([0xd9, bytes.length]),
    bytes,
  ]);
}

/** A map16 of `count` distinct keys (`${prefix}0`, `${prefix}1`…), each with the value nil. */
function mapOf(count: number, prefix: string): Buffer {
  const head = Buffer.from([0xde, 0, 0]);
  head.writeUInt16BE(count, 1);
  const entries = Array.from({ length: count }, (_, i) =>
    Buffer.concat([str(`${prefix}${i}`), Buffer.from([0xc0])]),
  );
  return Buffer.concat([head, ...entries]);
}

/** An array16 of `items`. */
function arrayOf(items: Buffer[]): Buffer {
  const head = Buffer.from([0xdc, 0, 0]);
  head.writeUInt16BE(items.length, 1);
  return Buffer.concat([head, ...items]);
}

/** The frame of request `{id, cmd, payload}` (fields left out when undefined), `payload`'s bytes as they are. */
function frameOf(id: number | undefined, cmd: string, payload: Buffer): Buffer {
  const fields: Buffer[] = [];
  if (id !== undefined)
    fields.push(str('id'), Buffer.from([0xce, id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff]));
  fields.push(str('cmd'), str(cmd), str('payload'), payload);
  const body = Buffer.concat([Buffer.from([0x80 + fields.length / 2]), ...fields]);
  const head = Buffer.from([0x56, 0x45, 0x01, 0, 0, 0, 0]);
  head.writeUInt32LE(body.length, 3);
  return Buffer.concat([head, body]);
}

/** The daemon's decoder (ipc-connection.ts). */
function daemonDecoder(): FrameDecoder {
  return new FrameDecoder(
    undefined,
    PAYLOAD_LIMITS.maxFrameItems,
    { maxEntries: PAYLOAD_LIMITS.maxObjectEntries, maxValues: PAYLOAD_LIMITS.maxValues },
    { fromBytes: SMALL_PAYLOAD_BYTES, breach: payloadBytesBreach },
  );
}

describe('payloadBytesBreach', () => {
  it('lets through small payloads, unreadable commands and the commands that take large payloads', () => {
    expect(payloadBytesBreach('list', SMALL_PAYLOAD_BYTES)).toBeNull();
    expect(payloadBytesBreach(null, 10_000_000)).toBeNull();
    for (const cmd of [
      'start',
      'restart',
      'reload',
      'config.set',
      'alerts.add',
      'alerts.set',
      'events.emit',
    ]) {
      expect(payloadBytesBreach(cmd, 16 * 1024 * 1024)).toBeNull();
    }
  });

  it('refuses a large payload of a command that takes a small one, and says an unknown command is unknown', () => {
    const list = payloadBytesBreach('list', SMALL_PAYLOAD_BYTES + 1);
    expect({ code: list?.code, message: list?.message }).toEqual({
      code: 'INVALID_ARGUMENT',
      message: 'list: payload: 65537 bytes of payload, at most 65536 for this command',
    });
    expect(payloadBytesBreach('cancel', 100_000)?.code).toBe('INVALID_ARGUMENT');
    const unknown = payloadBytesBreach('lisst', 100_000);
    expect({ code: unknown?.code, message: unknown?.message, data: unknown?.data }).toEqual({
      code: 'UNKNOWN_COMMAND',
      message: "unknown command 'lisst'",
      data: { cmd: 'lisst' },
    });
  });
});

describe('FrameDecoder with a payload bound per command', () => {
  // building the 4.9 MB payload alone took over 5 s at load 20: the bound under test is the push's
  it('answers a 4.9 MB list of 122 maps × 4 096 keys with a RefusedRequest under its id, undecoded, and goes on', {
    timeout: 30_000,
  }, () => {
    const payload = arrayOf(Array.from({ length: 122 }, (_, m) => mapOf(4096, `k${m}_`)));
    const decoder = daemonDecoder();
    const started = Date.now();
    const [refused, next] = decoder.push(
      Buffer.concat([frameOf(5, 'list', payload), encodeFrame({ id: 6, cmd: 'ping' })]),
    );
    // decoding, walking and checking it by schema took 2–7 s on the 2-core machine; the check reads headers
    expect(Date.now() - started).toBeLessThan(1000);
    expect(refused).toBeInstanceOf(RefusedRequest);
    const { id, error } = refused as RefusedRequest;
    expect(id).toBe(5);
    expect({ code: error.code, message: error.message }).toEqual({
      code: 'INVALID_ARGUMENT',
      message: `list: payload: ${payload.length} bytes of payload, at most 65536 for this command`,
    });
    expect(next).toEqual({ id: 6, cmd: 'ping' });
  });

  it('refuses it with PROTOCOL_ERROR when it has no id to answer', () => {
    const decoder = daemonDecoder();
    let code: string | undefined;
    try {
      decoder.push(frameOf(undefined, 'list', mapOf(10_000, 'k')));
    } catch (error) {
      code = isVelosError(error) ? error.code : 'not a VelosError';
    }
    expect(code).toBe('PROTOCOL_ERROR');
  });

  it('decodes the largest legitimate request (1000 apps × 495 env variables) and small payloads of any command', {
    timeout: 30_000,
  }, () => {
    const apps = Array.from({ length: 1000 }, (_, i) =>
      Buffer.concat([Buffer.from([0x82]), str('name'), str(`app-${i}`), str('env'), mapOf(495, `VAR_${i}_`)]),
    );
    const start = Buffer.concat([Buffer.from([0x81]), str('apps'), arrayOf(apps)]);
    const [decoded] = daemonDecoder().push(frameOf(1, 'start', start));
    expect(decoded).not.toBeInstanceOf(RefusedRequest);
    expect((decoded as { payload: { apps: unknown[] } }).payload.apps).toHaveLength(1000);
    const target = { id: 2, cmd: 'stop', payload: { target: 'x'.repeat(60_000) } };
    expect(daemonDecoder().push(encodeFrame(target))).toEqual([target]);
  });
});
