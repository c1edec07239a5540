import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFERRED_CA_VAR, deferredCa, restoreDeferredCa, withDeferredCa } from '../src/deferred-ca.js';

const dir = mkdtempSync(join(tmpdir(), 'velos-deferred-ca-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PEM = '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n';

describe('a deferred NODE_EXTRA_CA_CERTS', () => {
  it('is moved aside for a daemon on a Node that would parse it at start-up', () => {
    const env = { PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
    expect(withDeferredCa(env, 20)).toEqual({ PATH: '/bin', [DEFERRED_CA_VAR]: '/etc/ca.pem' });
    expect(withDeferredCa(env, 22)).toEqual({ PATH: '/bin', [DEFERRED_CA_VAR]: '/etc/ca.pem' });
    expect(env).toEqual({ PATH: '/bin', NODE_EXTRA_CA_CERTS: '/etc/ca.pem' });
  });

  it('is left in place on Node 24 (which reads it on first use) and when unset or empty', () => {
    const env = { NODE_EXTRA_CA_CERTS: '/etc/ca.pem' };
    expect(withDeferredCa(env, 24)).toBe(env);
    const none = { PATH: '/bin' };
    expect(withDeferredCa(none, 20)).toBe(none);
    const empty = { NODE_EXTRA_CA_CERTS: '' };
    expect(withDeferredCa(empty, 20)).toBe(empty);
  });

  it('is put back for the programs the daemon runs, keeping the deferred name', () => {
    const env: NodeJS.ProcessEnv = withDeferredCa({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem' }, 20);
    restoreDeferredCa(env);
    expect(env).toEqual({ NODE_EXTRA_CA_CERTS: '/etc/ca.pem', [DEFERRED_CA_VAR]: '/etc/ca.pem' });
    const plain: NodeJS.ProcessEnv = { PATH: '/bin' };
    restoreDeferredCa(plain);
    expect(plain).toEqual({ PATH: '/bin' });
  });

  it("gives the daemon's TLS clients Node's roots plus the file, read once", async () => {
    const file = join(dir, 'extra.pem');
    writeFileSync(file, PEM);
    const ca = await deferredCa({ [DEFERRED_CA_VAR]: file });
    expect(ca).toEqual([...rootCertificates, PEM]);
    writeFileSync(file, 'changed');
    expect(await deferredCa({ [DEFERRED_CA_VAR]: file })).toBe(ca);
  });

  it("leaves Node's defaults when nothing was deferred or the file holds no certificate", async () => {
    expect(await deferredCa({})).toBeUndefined();
    expect(await deferredCa({ [DEFERRED_CA_VAR]: join(dir, 'missing.pem') })).toBeUndefined();
    const junk = join(dir, 'junk.pem');
    writeFileSync(junk, 'not a certificate');
    expect(await deferredCa({ [DEFERRED_CA_VAR]: junk })).toBeUndefined();
  });
});
