import type { VelosControl } from '@velos/core';

/** What a token may do: `read` calls read-only routes, `admin` everything. */
export type ApiScope = 'read' | 'admin';

/** How requests are authenticated. */
export type ApiAuth =
  /** Bearer tokens by scope; at least `admin`. */
  | { tokens: { admin: string; read?: string } }
  /** No authentication: refused unless the server binds a loopback address. */
  | { disabled: true };

/** WebSocket limits (the seeds' numbers are the defaults). */
export interface ApiWebSocketOptions {
  /** Most open connections; one more is refused (default 100). */
  maxConnections?: number;
  /** A protocol ping every this many ms (default 30 000). */
  pingIntervalMs?: number;
  /** A connection that has not answered a ping within this many ms is closed (default 10 000). */
  pongTimeoutMs?: number;
  /** A client that leaves more than this many bytes unsent is closed as too slow (default 4 MiB). */
  maxBufferedBytes?: number;
}

/** Options of `createApiServer`. */
export interface ApiServerOptions {
  /** The control the routes call: `@velos/client` (the daemon over IPC) or the supervisor in-process. */
  control: VelosControl;
  /** Address to bind (default `127.0.0.1`). */
  host?: string;
  /** Port to bind (default 9716; 0 picks a free one). */
  port?: number;
  auth: ApiAuth;
  /** PEM certificate and key: serve HTTPS. */
  tls?: { cert: string | Buffer; key: string | Buffer };
  /** Origins allowed by CORS (none by default). */
  corsOrigins?: string[];
  /** Requests per client address per minute before 429 (default 600). */
  rateLimitPerMinute?: number;
  /** Largest accepted request body in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  ws?: ApiWebSocketOptions;
  /** Serve the MCP tools over streamable HTTP at `/mcp` (admin token) (default true). */
  mcp?: boolean;
  /** Serve the web dashboard at `/` (default true). */
  dashboard?: boolean;
  /** Directory of the dashboard's built files (default: this package's `dist/dashboard`). */
  dashboardDir?: string;
  /** Where the server writes its one-line notices (warnings, listening address). */
  log?: (line: string) => void;
}

/** A running API server. */
export interface ApiServer {
  /** The base URL, such as `http://127.0.0.1:9716`. */
  url: string;
  /** Stops accepting connections, closes WebSockets and waits for requests in flight. */
  close(): Promise<void>;
}
