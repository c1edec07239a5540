import type { AppSpec, ProbeSpec } from '@velos/core';

/** The port a probe checks on the app itself (localhost), or undefined. */
export function probePort(probe: ProbeSpec | undefined): number | undefined {
  if (probe === undefined) return undefined;
  if (probe.kind === 'tcp') return isLocal(probe.host) ? probe.port : undefined;
  if (probe.kind !== 'http') return undefined;
  const url = new URL(probe.url);
  if (!isLocal(url.hostname)) return undefined;
  return url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
}

/**
 * The port an app serves on, for a Kubernetes Service: its readiness, then liveness probe's local
 * port, else a positive whole `PORT` in its env; undefined when it has none.
 */
export function appPort(spec: AppSpec): number | undefined {
  const fromProbe = probePort(spec.readinessProbe) ?? probePort(spec.livenessProbe);
  if (fromProbe !== undefined) return fromProbe;
  const env = spec.ownEnv ?? spec.env;
  const port = env.PORT?.trim();
  return port !== undefined && /^\d+$/.test(port) && Number(port) > 0 && Number(port) < 65_536
    ? Number(port)
    : undefined;
}

/** True for the loopback names a probe uses to reach its own app. */
export function isLocal(host: string): boolean {
  return ['localhost', '127.0.0.1', '::1', '[::1]', '0.0.0.0'].includes(host.toLowerCase());
}

/** The probe settings as whole seconds and counts (Compose and Kubernetes share them). */
export function probeTiming(probe: ProbeSpec): {
  periodSeconds: number;
  timeoutSeconds: number;
  failureThreshold: number;
  successThreshold: number;
  initialDelaySeconds: number;
} {
  return {
    periodSeconds: Math.max(1, Math.ceil(probe.intervalMs / 1000)),
    timeoutSeconds: Math.max(1, Math.ceil(probe.timeoutMs / 1000)),
    failureThreshold: probe.failureThreshold,
    successThreshold: probe.successThreshold,
    initialDelaySeconds: Math.ceil(probe.initialDelayMs / 1000),
  };
}
