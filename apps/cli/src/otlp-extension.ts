import type { OtlpExport } from '@velos/otel';
import { otlpSettingsKey, resolveOtlpSettings } from '@velos/otel/settings';
import type { DaemonExtension } from '@velos/supervisor';

/**
 * OBS-5: the daemon's OTLP export, on when `[metrics.otlp]` or `OTEL_EXPORTER_OTLP_*ENDPOINT`
 * gives an endpoint; the OpenTelemetry SDK is imported only then. A config reload with other
 * settings restarts the export, one without an endpoint stops it.
 */
export function createOtlpExtension(env: NodeJS.ProcessEnv = process.env): DaemonExtension {
  let running: { key: string; otlp: OtlpExport } | null = null;
  let isOffLogged = false;
  const stop = async (): Promise<void> => {
    const current = running;
    running = null;
    await current?.otlp.close();
  };
  return {
    name: 'otlp',
    async apply(host): Promise<undefined> {
      const decision = resolveOtlpSettings(host.config?.metrics?.otlp, env);
      if (!decision.isEnabled) {
        if (running !== null) host.log(`otlp: export stopped (${decision.reason})`);
        else if (decision.isConfigured && !isOffLogged) host.log(`otlp: export off (${decision.reason})`);
        isOffLogged = true;
        await stop();
        return;
      }
      isOffLogged = false;
      const { settings } = decision;
      const key = otlpSettingsKey(settings);
      if (running?.key === key) return;
      await stop();
      for (const note of settings.notes) host.log(`otlp: ${note}`);
      const { startOtlpExport } = await import('@velos/otel');
      const otlp = await startOtlpExport({ control: host.control, settings, log: host.log });
      running = { key, otlp };
      const traces = settings.tracesUrl === null ? 'no spans' : `spans to ${settings.tracesUrl}`;
      host.log(
        `otlp: exporting metrics to ${settings.metricsUrl} every ${settings.intervalMs} ms, ${traces}`,
      );
    },
    close: stop,
  };
}
