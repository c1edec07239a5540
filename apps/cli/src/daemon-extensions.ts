import type { DaemonExtension } from '@velos/supervisor';
import { createApiConfigExtension } from './api-extension.js';
import { createMetricsExtension } from './metrics-extension.js';
import { createOtlpExtension } from './otlp-extension.js';

/** What the CLI's daemon runs beside the supervisor (each loads its heavy parts only when config.toml or the env asks). */
export function createDaemonExtensions(): DaemonExtension[] {
  return [createMetricsExtension(), createOtlpExtension(), createApiConfigExtension()];
}
