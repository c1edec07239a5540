export {
  type AppConfigInput,
  appConfigSchema,
  deriveName,
  type ResolveContext,
  resolveAppSpec,
  splitArgs,
} from './app-schema.js';
export {
  CONFIG_EXTENSIONS,
  isConfigFile,
  type LoadConfigOptions,
  loadConfigFile,
  validateConfig,
} from './config-loader.js';
export { formatConfigToml, parseConfigValue } from './config-values.js';
export {
  type DaemonConfig,
  loadDaemonConfig,
  RESERVED_SECTIONS,
  validateDaemonConfig,
} from './daemon-config.js';
export { PROCESSES_FORM_DEFAULTS, parseSecondsMs } from './processes-form.js';
export { durationText, specToConfig } from './spec-to-config.js';
