import { APP_DEFAULTS } from '@velos/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { call, startServer, type TestServer } from './support/api-server.js';
import { FIXTURES, startDaemon, type TestDaemon, waitFor } from './support/daemon.js';

let daemon: TestDaemon;
let api: TestServer;

/** The first line of fixtures/invalid-utf8.js as it writes it: 0xff, 0xfe and a lone 0xc3. */
const BAD_LINE = Buffer.from([...Buffer.from('bad '), 0xff, 0xfe, 0x20, 0xc3, 0x28, 0x20, 0x65, 0x6e, 0x64]);

interface Line {
  line: string;
  bytes?: unknown;
  bytesBase64?: string;
}

async function linesOf(path: string): Promise<Line[]> {
  const answer = await call(api.url, 'GET', path, { token: api.read });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.lines;
}

beforeAll(async () => {
  daemon = await startDaemon();
  api = await startServer(daemon.client, { rateLimitPerMinute: 100_000, dashboard: false });
  await daemon.client.start([
    {
      ...APP_DEFAULTS,
      name: 'bytes',
      script: 'invalid-utf8.js',
      cwd: FIXTURES,
      env: { PATH: process.env.PATH ?? '' },
    },
  ]);
  await waitFor(
    async () => (await daemon.client.logs({ target: 'bytes', lines: 2 })).length === 2,
    'the two lines of invalid-utf8.js',
  );
});

afterAll(async () => {
  await api?.server.close();
  await daemon?.stop();
});

describe('REST log lines that are not valid UTF-8', () => {
  it('GET /logs/{target}?withBytes=true gives their bytes as bytesBase64, only for those lines', async () => {
    const [bad, good] = await linesOf('/api/v1/logs/bytes?lines=2&withBytes=true');
    expect(bad!.line).toContain('\ufffd');
    expect(Buffer.from(bad!.bytesBase64!, 'base64')).toEqual(BAD_LINE);
    expect(bad!.bytes).toBeUndefined();
    // a valid line, even with a real U+FFFD in it, has no bytes
    expect(good!.line).toBe('good \u00fc \ufffd end');
    expect(good).not.toHaveProperty('bytesBase64');
  });

  it('GET /logs/{target}/search?withBytes=true gives them too', async () => {
    const [bad] = await linesOf('/api/v1/logs/bytes/search?pattern=bad&withBytes=1');
    expect(Buffer.from(bad!.bytesBase64!, 'base64')).toEqual(BAD_LINE);
  });

  it('leaves them out unless asked, and refuses a withBytes that is not a boolean', async () => {
    for (const path of ['/api/v1/logs/bytes?lines=2', '/api/v1/logs/bytes/search?pattern=bad']) {
      for (const line of await linesOf(path)) {
        expect(line).not.toHaveProperty('bytesBase64');
        expect(line).not.toHaveProperty('bytes');
      }
    }
    const wrong = await call(api.url, 'GET', '/api/v1/logs/bytes?withBytes=yes', { token: api.read });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error.field).toBe('withBytes');
  });
});
