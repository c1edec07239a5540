import type { DaemonExtension } from '@velos/supervisor';

/**
 * API-1: the daemon serves the API while config.toml has an `[api]` table (bound after the restore,
 * rebound or closed when a reload changes it). Nothing of the API (fastify included) is imported
 * until a table is there; a bad table or a port in use is one line in daemon.log.
 */
export function createApiConfigExtension(): DaemonExtension {
  let inner: DaemonExtension | null = null;
  return {
    name: 'api',
    async apply(host): Promise<undefined> {
      if (inner === null && host.config?.sections.api === undefined) return;
      if (inner === null) {
        const { createApiExtension, settingsFromApiTable } = await import('@velos/server/host');
        inner = createApiExtension({
          settingsOf: ({ config, home }) => settingsFromApiTable(config?.sections.api, home),
        });
      }
      await inner.apply(host);
    },
    close: async () => inner?.close(),
  };
}
