import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** A certificate and its key, as PEM files. */
export interface SelfSigned {
  certPath: string;
  keyPath: string;
}

/**
 * Whether `openssl` can be run; in CI its absence fails (`.ci/run` installs it), elsewhere the
 * tests that need a certificate are skipped.
 */
export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    if (process.env.CI === 'true') throw new Error('openssl is missing: apt-get install -y openssl');
    return false;
  }
}

/**
 * Writes a self-signed certificate for `localhost` and 127.0.0.1 (valid one day, a P-256 key) to
 * `cert.pem` and `key.pem` in `dir`, with `openssl`.
 */
export function makeSelfSigned(dir: string): SelfSigned {
  const certPath = join(dir, 'cert.pem');
  const keyPath = join(dir, 'key.pem');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '1',
      '-subj',
      '/CN=localhost',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ],
    { stdio: 'ignore' },
  );
  return { certPath, keyPath };
}
