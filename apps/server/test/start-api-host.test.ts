import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasOpenssl, makeSelfSigned } from '@velos/test-helpers';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseServeSettings } from '../src/serve-settings.js';
import { readApiFiles } from '../src/start-api-host.js';

let dir: string;
let one: { certPath: string; keyPath: string };
let other: { certPath: string; keyPath: string };
let garbage: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'velos-api-files-'));
  if (!hasOpenssl()) return;
  mkdirSync(join(dir, 'one'));
  mkdirSync(join(dir, 'other'));
  one = makeSelfSigned(join(dir, 'one'));
  other = makeSelfSigned(join(dir, 'other'));
  garbage = join(dir, 'garbage.pem');
  writeFileSync(garbage, 'not a certificate\n');
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The message `readApiFiles` refuses the pair with, or null when it reads it. */
async function refusal(cert: string, key: string): Promise<string | null> {
  const settings = parseServeSettings({ port: '0', 'tls-cert': cert, 'tls-key': key });
  return readApiFiles(settings).then(
    () => null,
    (error: Error) => error.message,
  );
}

describe.skipIf(!hasOpenssl())('readApiFiles: the TLS pair', () => {
  it('reads a certificate and its key', async () => {
    expect(await refusal(one.certPath, one.keyPath)).toBeNull();
  });

  it('refuses what the server could not load before anything starts, naming the file at fault', async () => {
    expect(await refusal(garbage, one.keyPath)).toMatch(
      new RegExp(`^--tls-cert: ${garbage} is not a PEM certificate \\(.+\\)$`),
    );
    expect(await refusal(one.certPath, garbage)).toMatch(
      new RegExp(`^--tls-key: ${garbage} is not a PEM private key`),
    );
    // the files swapped, and a key of another certificate
    expect(await refusal(one.keyPath, one.certPath)).toMatch(/^--tls-cert: .* is not a PEM certificate/);
    expect(await refusal(one.certPath, other.keyPath)).toBe(
      `--tls-key: ${other.keyPath} is not the key of the certificate ${one.certPath} (x509 certificate routines::key values mismatch)`,
    );
  });
});
