import type { VelosControl } from '@velos/core';
import { generateToken } from '../../src/auth/token-file.js';
import type { ApiServer, ApiServerOptions } from '../../src/options.js';
import { createApiServer } from '../../src/server.js';

/** A started API server on a free loopback port, with its two tokens and the lines it logged. */
export interface TestServer {
  server: ApiServer;
  url: string;
  admin: string;
  read: string;
  logs: string[];
}

/** Starts `createApiServer` over `control` on port 0 with fresh admin and read tokens. */
export async function startServer(
  control: VelosControl,
  options: Partial<ApiServerOptions> = {},
): Promise<TestServer> {
  const admin = generateToken();
  const read = generateToken();
  const logs: string[] = [];
  const server = await createApiServer({
    control,
    port: 0,
    auth: { tokens: { admin, read } },
    log: (line) => logs.push(line),
    ...options,
  });
  return { server, url: server.url, admin, read, logs };
}

/** A JSON answer as the tests read it, field by field. */
// biome-ignore lint/suspicious/noExplicitAny: the tests assert on the fields they read
export type Json = any;

/** A fetched answer: status, headers and the body parsed as JSON when it is JSON. */
export interface Answer<T = Json> {
  status: number;
  headers: Headers;
  body: T;
}

/** Sends one request to the server; `body` is sent as JSON unless it is already a string. */
export async function call<T = Json>(
  url: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string> } = {},
): Promise<Answer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(`${url}${path}`, { method, headers, ...(body === undefined ? {} : { body }) });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: (isJson && text ? JSON.parse(text) : text) as T,
  };
}
