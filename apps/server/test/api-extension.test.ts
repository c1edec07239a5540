import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from '@velos/client';
import type { DaemonExtension, DaemonExtensionHost } from '@velos/supervisor';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiExtension } from '../src/api-extension.js';
import { parseServeSettings, type ServeSettings } from '../src/serve-settings.js';

let home: string;
let extension: DaemonExtension | null = null;
let blocker: Server | null = null;

afterEach(async () => {
  await extension?.close();
  extension = null;
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = null;
  rmSync(home, { recursive: true, force: true });
});

/** The extension over an empty home (no daemon: the requests never reach one) and its serving URL. */
function setUp(settings: { current: ServeSettings }) {
  home = mkdtempSync(join(tmpdir(), 'velos-api-extension-'));
  const served: string[] = [];
  const host: DaemonExtensionHost = {
    control: createClient({ home }),
    home,
    log: () => undefined,
    config: null,
  };
  extension = createApiExtension({
    settingsOf: () => settings.current,
    onServing: (api) => served.push(api.url),
  });
  return { host, url: () => served.at(-1)!, extension };
}

/** 405 for a valid token, 401 for another: a wrong method on a route's path calls no daemon. */
function statusWith(url: string, token: string): Promise<number> {
  return fetch(`${url}/api/v1/processes`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${token}` },
  }).then((answer) => answer.status);
}

function writeTokens(file: string, admin: string): void {
  writeFileSync(file, `admin ${admin}\n`, { mode: 0o600 });
}

describe('the [api] daemon extension', () => {
  it('serves the tokens a reload finds in the token file, and nothing when it is unchanged', async () => {
    const settings = { current: parseServeSettings({ port: '0' }) };
    const { host, url, extension } = setUp(settings);
    const file = join(home, 'tokens');
    writeTokens(file, 'first-token-0123456789');
    settings.current = parseServeSettings({ port: '0', 'token-file': file });
    await extension.apply(host);
    expect(await statusWith(url(), 'first-token-0123456789')).toBe(405);
    expect(await extension.apply(host)).toBeUndefined();

    // a leaked token is rotated by editing the file and reloading, as a renewed certificate is
    writeTokens(file, 'second-token-0123456789');
    const change = await extension.apply(host);
    expect(change?.text).toMatch(/^api: stopped serving http:\/\/\S+; serving http:\/\//);
    expect(await statusWith(url(), 'first-token-0123456789')).toBe(401);
    expect(await statusWith(url(), 'second-token-0123456789')).toBe(405);

    // a token file that became unsafe is refused and the API serves on as it was
    writeTokens(file, 'third-token-0123456789');
    chmodSync(file, 0o644);
    const refused = await extension.apply(host);
    expect(refused).toMatchObject({ isFailure: true, text: expect.stringContaining('chmod 600') });
    expect(await statusWith(url(), 'second-token-0123456789')).toBe(405);
  });

  it('serves on as before when a reload asks for a port in use, and says so', async () => {
    const settings = { current: parseServeSettings({ port: '0' }) };
    const { host, url, extension } = setUp(settings);
    await extension.apply(host);
    const admin = (await import('@velos/api')).loadOrCreateTokens(home).admin;
    blocker = createServer();
    const taken = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    settings.current = parseServeSettings({ port: String(taken) });
    const change = await extension.apply(host);
    expect(change).toMatchObject({ isFailure: true });
    expect(change?.text).toMatch(/EADDRINUSE.*; serving on as before at http:\/\//);
    expect(await statusWith(url(), admin)).toBe(405);
  });

  it('takes the rotated token on the old address when the new one is in use', async () => {
    const settings = { current: parseServeSettings({ port: '0' }) };
    const { host, url, extension } = setUp(settings);
    const file = join(home, 'tokens');
    writeTokens(file, 'leaked-token-0123456789');
    settings.current = parseServeSettings({ port: '0', 'token-file': file });
    await extension.apply(host);
    blocker = createServer();
    const taken = await new Promise<number>((resolve) =>
      blocker!.listen(0, '127.0.0.1', () => resolve((blocker!.address() as { port: number }).port)),
    );
    writeTokens(file, 'rotated-token-0123456789');
    settings.current = parseServeSettings({ port: String(taken), 'token-file': file });
    expect(await extension.apply(host)).toMatchObject({ isFailure: true });
    expect(await statusWith(url(), 'leaked-token-0123456789')).toBe(401);
    expect(await statusWith(url(), 'rotated-token-0123456789')).toBe(405);
  });
});
