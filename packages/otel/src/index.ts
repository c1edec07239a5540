export {
  createLifecycleSpans,
  JOB_SPAN,
  type LifecycleSpans,
  type ProcessFacts,
  RUN_SPAN,
} from './lifecycle-spans.js';
export { observeVelosMetrics } from './metric-observer.js';
export {
  MAX_CLOSE_MS,
  type OtlpExport,
  type OtlpExportOptions,
  SCOPE_NAME,
  startOtlpExport,
} from './otlp-export.js';
export {
  DEFAULT_EXPORT_INTERVAL_MS,
  DEFAULT_SERVICE_NAME,
  type OtlpDecision,
  type OtlpSettings,
  otlpSettingsKey,
  redactUrl,
  resolveOtlpSettings,
} from './otlp-settings.js';
export { createVelosResource } from './resource.js';
export {
  createSnapshotProducer,
  shareSnapshot,
  snapshotMetrics,
  toOtlpHistogram,
} from './snapshot-producer.js';
export { processAttributes, VELOS_METRICS, type VelosMetric, type VelosMetricKind } from './velos-metrics.js';
