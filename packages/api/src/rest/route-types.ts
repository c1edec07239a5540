import type { CommandName, ErrorCode, VelosControl } from '@velos/core';
import type { ApiScope } from '../options.js';

/** HTTP methods of the REST routes. */
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

/** How a query parameter's text becomes a payload value. */
export type QueryType = 'string' | 'int' | 'number' | 'boolean' | 'time' | 'list';

/** The parts of a request a route turns into a payload. */
export interface RequestParts {
  params: Record<string, string>;
  query: Record<string, unknown>;
  body: Record<string, unknown>;
}

/** What custom routes are given: the control, the commands through it, Prometheus rendering. */
export interface RouteContext {
  control: VelosControl;
  /** Validates `payload` for `command`, calls it through the control and resolves its wire result. */
  call(command: CommandName, payload: unknown): Promise<unknown>;
  /** The Prometheus exposition of the daemon (apps' `metrics_url` included). */
  prometheus(): Promise<string>;
  /** Environment and CPU count apps started from a config body resolve against. */
  start: { env: Record<string, string>; cpuCount: number };
}

/** The answer of a custom route. */
export interface RouteAnswer {
  status?: number;
  contentType?: string;
  body: unknown;
}

interface RouteBase {
  method: HttpMethod;
  /** Path under `/api/v1`, with `:param`s. */
  path: string;
  /** OpenAPI tag. */
  tag: string;
  /** One line for the OpenAPI summary (the command's description when absent). */
  summary?: string;
  /** The scope a token needs; `none` is open (default: `read` for GET, `admin` otherwise). */
  scope: ApiScope | 'none';
  /** Query parameters it accepts; any other is refused with 400. */
  query?: Readonly<Record<string, QueryType>>;
  /**
   * Takes no query parameters and ignores any it is given instead of refusing them: the open health
   * check, which load balancers and uptime checkers call with a cache-busting `?t=…` of their own.
   */
  ignoresQuery?: boolean;
  /** Top-level body keys it accepts; absent means it takes no body. */
  body?: readonly string[];
  /** Payload keys that the client writes under another name (`grep` is `pattern`), for error fields. */
  fields?: Readonly<Record<string, string>>;
  /** The codes of the 409s its command answers (a name in use, a rolled-back reload), for the OpenAPI document. */
  conflicts?: readonly ErrorCode[];
}

/** A route that runs one protocol command. */
export interface CommandRoute extends RouteBase {
  kind: 'command';
  command: CommandName;
  /** The command's payload from the request (awaited; may throw a 400). */
  payload(parts: RequestParts, ctx: RouteContext): unknown;
  /** Shapes the command's wire result for the answer (secret masking), for a caller of `scope`. */
  present?(result: unknown, scope: ApiScope): unknown;
}

/** A route with its own handler, over one or more commands (or none). */
export interface CustomRoute extends RouteBase {
  kind: 'custom';
  /** The protocol commands it serves, for the coverage test and the docs. */
  commands: readonly CommandName[];
  /** `scope` is the caller's token's, null for an anonymous caller (only an open route has those). */
  handle(parts: RequestParts, ctx: RouteContext, scope: ApiScope | null): Promise<RouteAnswer>;
}

/** One REST route of the table. */
export type ApiRoute = CommandRoute | CustomRoute;
