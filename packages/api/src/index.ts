export { isSecretKey, MASK, maskSecrets } from '@velos/core';
export { type Authenticate, createAuthenticator } from './auth/authenticate.js';
export {
  API_TOKENS_FILE,
  type ApiTokens,
  generateToken,
  type LoadedTokens,
  loadOrCreateTokens,
  readTokenFile,
} from './auth/token-file.js';
export type { ApiAuth, ApiScope, ApiServer, ApiServerOptions, ApiWebSocketOptions } from './options.js';
export type { ApiRoute, HttpMethod } from './rest/route-types.js';
export { API_PREFIX, API_ROUTES, NOT_EXPOSED } from './rest/routes.js';
export { createApiServer, DEFAULT_HOST, DEFAULT_PORT, isLoopback } from './server.js';
