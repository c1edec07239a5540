import { ErrorCodes, PAYLOAD_LIMITS } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { appSpec, Harness, waitFor } from './helpers.js';
import { isAlive, keepPinging, protocolError } from './ipc-helpers.js';

const harness = new Harness();
afterEach(() => harness.cleanup());

describe('IPC limits (real daemon)', () => {
  it.each([
    { apps: 1000, envEntries: 1500, message: /^start: payload: more than 500000 values in one request$/ },
    { apps: 1000, envEntries: 200, message: /^start: apps\[0\]\.env\.K0: expected a string, got 0$/ },
  ])(
    'answers a start of $apps apps × $envEntries bad env entries with INVALID_ARGUMENT at once',
    // ~1.3 s of the daemon's CPU for the 12 MB request: over 30 s at load 40
    { timeout: 150_000 },
    async (bad) => {
      const home = harness.home();
      const { child, client } = await harness.startDaemon(home);
      const pinger = keepPinging(await harness.connect(home));
      const env = Object.fromEntries(Array.from({ length: bad.envEntries }, (_, i) => [`K${i}`, i]));
      const apps = Array.from({ length: bad.apps }, (_, i) => ({ ...appSpec(home, { name: `a${i}` }), env }));
      // no bound on the time (it passed 5 s at load 30): the message and the ≤ 10 issues show that the walk
      // or the first app's issues refused it, as protocol-schemas.test.ts pins; how fast is bench/'s
      const answer = await client.request('start', { apps }, 120_000);
      expect(answer.status).toBe('error');
      const error = answer.payload as { code: string; message: string; data: { issues: unknown[] } };
      expect(error.code).toBe(ErrorCodes.INVALID_ARGUMENT);
      expect(error.message).toMatch(bad.message);
      expect(error.data.issues.length).toBeLessThanOrEqual(10);
      const before = pinger.answered;
      await waitFor(() => pinger.answered > before + 2, { what: 'pings after the start' });
      await pinger.stop();
      expect(isAlive(child.pid!)).toBe(true);
      expect((await client.request('ping')).status).toBe('ok');
    },
  );

  it('refuses more apps than a start allows before looking at them', async () => {
    const home = harness.home();
    const { client } = await harness.startDaemon(home);
    const apps = Array.from({ length: PAYLOAD_LIMITS.maxAppsPerStart + 1 }, () => 0);
    expect((await client.request('start', { apps })).payload).toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: 'start: apps: 1001 apps, at most 1000 per request',
    });
  });

  it.each([0, -3])(
    'answers a request with id %i with an id-0 PROTOCOL_ERROR and closes only that connection',
    async (id) => {
      const home = harness.home();
      const { client } = await harness.startDaemon(home);
      const raw = await harness.connect(home);
      raw.send('ping', undefined, id);
      const error = await protocolError(raw);
      expect(error.payload).toMatchObject({
        code: ErrorCodes.PROTOCOL_ERROR,
        message: `bad request: id ${id} is not a positive integer (id 0 is reserved for protocol errors)`,
      });
      expect((await client.request('ping')).status).toBe('ok');
    },
  );
});
