// What `velos serve` and the daemon's [api] table share with velos-server (a subpath: @velos/server/host).
export { settingsFromApiTable } from './api-config.js';
export { type ApiExtensionOptions, createApiExtension } from './api-extension.js';
export {
  ACTION_TIMEOUT_VARIABLE,
  apiRequestTimeout,
  DEFAULT_ACTION_TIMEOUT_MS,
  DEFAULT_READ_TIMEOUT_MS,
  READ_TIMEOUT_VARIABLE,
} from './request-timeouts.js';
export {
  DEFAULT_API_HOST,
  DEFAULT_API_PORT,
  isLoopbackHost,
  type ParseOptions,
  parseServeSettings,
  type ServeFlags,
  type ServeSettings,
} from './serve-settings.js';
export {
  type ApiFiles,
  type ApiHost,
  type ApiHostOptions,
  readApiFiles,
  startApiHost,
} from './start-api-host.js';
