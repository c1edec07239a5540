import type { DaemonExtension, ExtensionChange } from '@velos/supervisor';

/**
 * API-1: the daemon serves the API while config.toml has an `[api]` table (bound after the restore,
 * rebound or closed when a reload changes it or its files; `velos config reload` prints what changed).
 * Nothing of the API (fastify included) is imported until a table is there; a bad table or a port in
 * use is one line in daemon.log and a failure of the reload, and what served serves on.
 */
export function createApiConfigExtension(): DaemonExtension {
  let inner: DaemonExtension | null = null;
  return {
    name: 'api',
    async apply(host): Promise<ExtensionChange | undefined> {
      if (inner === null && host.config?.sections.api === undefined) return undefined;
      if (inner === null) {
        const { createApiExtension, settingsFromApiTable } = await import('@velos/server/host');
        inner = createApiExtension({
          settingsOf: ({ config, home }) => settingsFromApiTable(config?.sections.api, home),
        });
      }
      return inner.apply(host);
    },
    close: async () => inner?.close(),
  };
}
