export type { ApiAuth, ApiScope, ApiServer, ApiServerOptions, ApiWebSocketOptions } from './options.js';
