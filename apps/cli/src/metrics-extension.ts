import type { DaemonExtension, DaemonExtensionHost, ExtensionChange } from '@velos/supervisor';

type MetricsServer = Awaited<ReturnType<typeof import('@velos/metrics/server').createMetricsServer>>;

/**
 * OBS-1: the daemon serves `/metrics` while config.toml's `[metrics] port` is set: bound at start
 * and rebound or closed when a reload changes it (what changed is `velos config reload`'s to print).
 * prom-client is imported only once a port is set; a port in use is one line in daemon.log, a failure
 * for `velos config reload`, tried again at the next read, and the daemon runs on without the endpoint.
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
    async apply(host: DaemonExtensionHost): Promise<ExtensionChange | undefined> {
      const port = host.config?.metrics?.port;
      const address = host.config?.metrics?.host ?? '127.0.0.1';
      const wanted = port === undefined ? '' : `${address}:${port}`;
      // a port that could not be bound is tried again at each read (boundTo stays '')
      if (wanted === boundTo) return undefined;
      const stopped = server === null ? '' : `stopped serving ${server.url}`;
      if (stopped) host.log(`metrics: ${stopped}`);
      await close();
      if (port === undefined) return stopped ? { text: `metrics: ${stopped}` } : undefined;
      const { createMetricsServer } = await import('@velos/metrics/server');
      const then = stopped ? `${stopped}; ` : '';
      try {
        server = await createMetricsServer({ control: host.control, host: address, port });
        boundTo = wanted;
        host.log(`metrics: serving ${server.url}`);
        return { text: `metrics: ${then}serving ${server.url}` };
      } catch (error) {
        const failure = `cannot serve on ${wanted}: ${error instanceof Error ? error.message : String(error)}`;
        host.log(`metrics: ${failure}`);
        return { text: `metrics: ${then}${failure}`, isFailure: true };
      }
    },
    close,
  };
}
