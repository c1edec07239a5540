export {
  appConfigSchema,
  deriveName,
  resolveAppSpec,
  splitArgs,
  type AppConfigInput,
  type ResolveContext,
} from './app-schema.js';
export { CONFIG_EXTENSIONS, isConfigFile, loadConfigFile, validateConfig } from './config-loader.js';
export { appSpecSchema, requestSchemas } from './protocol-schemas.js';
