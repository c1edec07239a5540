import type { DaemonExtension, DaemonExtensionHost } from '@velos/supervisor';

type MetricsServer = Awaited<ReturnType<typeof import('@velos/metrics/server').createMetricsServer>>;

/**
 * OBS-1: the daemon serves `/metrics` while config.toml's `[metrics] port` is set: bound at start
 * and rebound or closed when a reload changes it. prom-client is imported only once a port is set;
 * a port in use is one line in daemon.log, and the daemon runs on without the endpoint.
 */
export function createMetricsExtension(): DaemonExtension {
  let server: MetricsServer | null = null;
  let boundTo = '';
  const close = async () => {
    const current = server;
    server = null;
    boundTo = '';
    await current?.close();
  };
  return {
    name: 'metrics',
    async apply(host: DaemonExtensionHost) {
      const port = host.config?.metrics?.port;
      const address = host.config?.metrics?.host ?? '127.0.0.1';
      const wanted = port === undefined ? '' : `${address}:${port}`;
      if (wanted === boundTo) return;
      if (server !== null) host.log(`metrics: stopped serving ${server.url}`);
      await close();
      if (port === undefined) return;
      const { createMetricsServer } = await import('@velos/metrics/server');
      try {
        server = await createMetricsServer({ control: host.control, host: address, port });
        boundTo = wanted;
        host.log(`metrics: serving ${server.url}`);
      } catch (error) {
        host.log(
          `metrics: cannot serve on ${wanted}: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    },
    close,
  };
}
