import type { DaemonExtension } from '@velos/supervisor';

type MetricsServer = Awaited<ReturnType<typeof import('@velos/metrics/server').createMetricsServer>>;

/**
 * A daemon extension serving Prometheus' `GET /metrics` (no token, as `[metrics] port` of the velos
 * daemon) for `velos-server --metrics-port`: bound once after the restore, closed at shutdown;
 * `onError` hears a failure to bind (the server then stops).
 */
export function createMetricsEndpoint(
  where: { host: string; port: number },
  onServing: (url: string) => void,
  onError: (error: unknown) => void,
): DaemonExtension {
  let server: MetricsServer | null = null;
  let isDone = false;
  return {
    name: 'metrics',
    async apply(host): Promise<undefined> {
      if (isDone) return;
      isDone = true;
      try {
        const { createMetricsServer } = await import('@velos/metrics/server');
        server = await createMetricsServer({ control: host.control, host: where.host, port: where.port });
        host.log(`metrics: serving ${server.url}`);
        onServing(server.url);
      } catch (error) {
        const why = error instanceof Error ? error.message : String(error);
        onError(new Error(`cannot serve /metrics on ${where.host}:${where.port}: ${why}`));
      }
    },
    async close() {
      const current = server;
      server = null;
      await current?.close();
    },
  };
}
