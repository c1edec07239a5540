// The light entry (`@velos/otel/settings`): deciding whether to export loads nothing of the SDK.
export {
  DEFAULT_EXPORT_INTERVAL_MS,
  DEFAULT_SERVICE_NAME,
  MIN_EXPORT_INTERVAL_MS,
  type OtlpDecision,
  type OtlpSettings,
  otlpSettingsKey,
  redactUrl,
  resolveOtlpSettings,
} from './otlp-settings.js';
