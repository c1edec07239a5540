/**
 * Node before 24 parses the whole file `NODE_EXTRA_CA_CERTS` names when the process starts, whether
 * or not it ever opens a TLS connection: with a system bundle (~140 certificates) the idle daemon
 * carries 1.3–1.8 MB more (docs/benchmarks.md, session 15). The launcher hands the daemon the path
 * under this variable instead; the daemon puts `NODE_EXTRA_CA_CERTS` back in its environment for the
 * programs it runs (`restoreDeferredCa`), and its own TLS clients (alert webhooks, OTLP export,
 * scrapes of apps' `/metrics`) pass the certificates as `ca` (`deferredCa`), read on first use.
 */
export const DEFERRED_CA_VAR = 'VELOS_DEFERRED_CA_CERTS';

/** The first Node major that reads `NODE_EXTRA_CA_CERTS` only when TLS is first used. */
const LAZY_EXTRA_CA_MAJOR = 24;

/**
 * The daemon's environment with `NODE_EXTRA_CA_CERTS` moved to `DEFERRED_CA_VAR`, on a Node that would
 * parse it at start-up; `env` itself otherwise (and always left unchanged).
 */
export function withDeferredCa(
  env: NodeJS.ProcessEnv,
  nodeMajor = Number(process.versions.node.split('.')[0]),
): NodeJS.ProcessEnv {
  const file = env.NODE_EXTRA_CA_CERTS;
  if (!file || nodeMajor >= LAZY_EXTRA_CA_MAJOR) return env;
  const { NODE_EXTRA_CA_CERTS: _moved, ...rest } = env;
  return { ...rest, [DEFERRED_CA_VAR]: file };
}

/**
 * Run by the daemon first thing: programs it starts with its own environment get `NODE_EXTRA_CA_CERTS`
 * again (setting it now does not make this Node read it). `DEFERRED_CA_VAR` stays for `deferredCa`.
 */
export function restoreDeferredCa(env: NodeJS.ProcessEnv): void {
  const file = env[DEFERRED_CA_VAR];
  if (file && env.NODE_EXTRA_CA_CERTS === undefined) env.NODE_EXTRA_CA_CERTS = file;
}

let cached: { file: string; ca: Promise<string[] | undefined> } | undefined;

/**
 * The `ca` a TLS client of the daemon must pass to trust what `NODE_EXTRA_CA_CERTS` adds: Node's own
 * roots plus the deferred file, read once. `undefined` when nothing was deferred (Node's defaults
 * already hold the extra certificates, if any) or the file cannot be read (Node too ignores a file it
 * cannot load, with a warning at start-up).
 */
export function deferredCa(env: NodeJS.ProcessEnv = process.env): Promise<string[] | undefined> {
  const file = env[DEFERRED_CA_VAR];
  if (!file) return Promise.resolve(undefined);
  if (cached?.file !== file) cached = { file, ca: loadCa(file) };
  return cached.ca;
}

async function loadCa(file: string): Promise<string[] | undefined> {
  try {
    // both loaded here only: a daemon that never opens a TLS connection never pays for them
    const [{ readFile }, { rootCertificates }] = await Promise.all([
      import('node:fs/promises'),
      import('node:tls'),
    ]);
    const pem = await readFile(file, 'utf8');
    return pem.includes('-----BEGIN CERTIFICATE-----') ? [...rootCertificates, pem] : undefined;
  } catch {
    return undefined;
  }
}
