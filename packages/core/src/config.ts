export { CONDITION_FORMS, type ParsedCondition, parseCondition } from './alert-condition.js';
export { ALERT_DEFAULTS, alertConfigSchema, parseAlertRule, parseAlertRules } from './alert-rules.js';
export {
  type AppConfigInput,
  appConfigSchema,
  deriveName,
  type ResolveContext,
  resolveAppSpec,
  splitArgs,
} from './app-schema.js';
export { loadConfigAlerts } from './config-alerts.js';
export {
  type CronCheck,
  type CronPlace,
  checkConfigCrons,
  cronIssues,
  cronProblem,
  entryCronPlaces,
  loadCronCheck,
} from './config-crons.js';
export { underDefaults } from './config-defaults.js';
export { configEnvFiles } from './config-env-files.js';
export { CONFIG_PARSE } from './config-issues.js';
export {
  CONFIG_EXTENSIONS,
  isConfigFile,
  isSelected,
  type LoadConfigOptions,
  loadConfigFile,
  nameInFile,
  parseConfigText,
  validateConfig,
  withLine,
} from './config-loader.js';
export { keyPathLine, syntaxErrorLine } from './config-position.js';
export { formatConfigToml, parseConfigValue } from './config-values.js';
export {
  type DaemonConfig,
  loadDaemonConfig,
  type MetricsConfig,
  RESERVED_SECTIONS,
  validateDaemonConfig,
} from './daemon-config.js';
export { type ConfigDialect, type ConfigWarning, dialectOf } from './pm2-dialect.js';
export { PROCESSES_FORM_DEFAULTS, parseSecondsMs } from './processes-form.js';
export { specToCompactConfig } from './spec-compact-config.js';
export { durationText, specToConfig } from './spec-to-config.js';
