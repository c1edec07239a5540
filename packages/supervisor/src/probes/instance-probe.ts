import { type AppSpec, instancePort, type ProbeSpec } from '@velos/core';

/**
 * The probe as one instance runs it: an http or tcp check of the app's base port (the value of its
 * `increment_var` in its env, e.g. `PORT = "3000"`) checks the instance's own port instead (3001 for
 * instance 1), so each instance is probed where it listens. Any other probe is returned as it is.
 */
export function instanceProbe(
  probe: ProbeSpec,
  spec: Pick<AppSpec, 'env' | 'incrementVar'>,
  instance: number,
): ProbeSpec {
  if (spec.incrementVar === undefined || instance === 0) return probe;
  if (probe.kind === 'tcp') {
    const port = instancePort(spec, instance, probe.port);
    return port === probe.port ? probe : { ...probe, port };
  }
  if (probe.kind !== 'http') return probe;
  const url = new URL(probe.url);
  if (url.port === '') return probe;
  const port = instancePort(spec, instance, Number(url.port));
  if (port === Number(url.port)) return probe;
  url.port = String(port);
  return { ...probe, url: url.href };
}
