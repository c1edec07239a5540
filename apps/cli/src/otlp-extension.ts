import type { OtlpExport } from '@velos/otel';
import { otlpSettingsKey, redactUrl, resolveOtlpSettings } from '@velos/otel/settings';
import type { DaemonExtension, ExtensionChange } from '@velos/supervisor';

/**
 * OBS-5: the daemon's OTLP export, on when `[metrics.otlp]` or `OTEL_EXPORTER_OTLP_*ENDPOINT`
 * gives an endpoint; the OpenTelemetry SDK is imported only then. A config reload with other
 * settings restarts the export, one without an endpoint stops it; what it did is said in daemon.log
 * and to `velos config reload` (an unchanged export says nothing).
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
    async apply(host): Promise<ExtensionChange | undefined> {
      const decision = resolveOtlpSettings(host.config?.metrics?.otlp, env);
      if (!decision.isEnabled) {
        let text: string | undefined;
        if (running !== null) text = `otlp: export stopped (${decision.reason})`;
        else if (decision.isConfigured && !isOffLogged) text = `otlp: export off (${decision.reason})`;
        if (text !== undefined) host.log(text);
        isOffLogged = true;
        await stop();
        return text === undefined ? undefined : { text };
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
      const traces = settings.tracesUrl === null ? 'no spans' : `spans to ${redactUrl(settings.tracesUrl)}`;
      const text = `otlp: exporting metrics to ${redactUrl(settings.metricsUrl)} every ${settings.intervalMs} ms, ${traces}`;
      host.log(text);
      return { text };
    },
    close: stop,
  };
}
