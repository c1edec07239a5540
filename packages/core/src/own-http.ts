import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { deferredCa } from './deferred-ca.js';

/** What `ownHttpRequest` sends and how long it waits. */
export interface OwnHttpRequest {
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  /** The whole exchange, from connecting to the body's last byte. */
  timeoutMs: number;
  /** The largest body kept; a longer one (declared or read) fails. 0: answers at the status, body unread. */
  maxBytes: number;
}

/** The answer of `ownHttpRequest`: any status, with the body unless `maxBytes` was 0. */
export interface OwnHttpResponse {
  status: number;
  body: Buffer;
  /** The response's headers, names in lower case (as Node gives them). */
  headers: IncomingHttpHeaders;
}

/** Thrown by `ownHttpRequest` when the exchange outlasts its `timeoutMs`. */
export class HttpTimeoutError extends Error {
  override readonly name = 'TimeoutError';
  readonly code = 'ETIMEDOUT';
}

/**
 * One HTTP(S) exchange of the daemon's own (alert webhooks, scrapes of apps' `/metrics`), on a
 * connection of its own. Redirects are answers like any other, not followed. HTTPS trusts what Node
 * trusts plus a deferred `NODE_EXTRA_CA_CERTS` (see `deferredCa`), which `fetch` cannot be given on
 * Node 20. Rejects with the socket's error (its `code`: `ECONNREFUSED` …), `HttpTimeoutError`, or
 * an `Error` saying the body is over `maxBytes`.
 */
export async function ownHttpRequest(url: string, request: OwnHttpRequest): Promise<OwnHttpResponse> {
  const target = new URL(url);
  const isHttps = target.protocol === 'https:';
  if (!isHttps && target.protocol !== 'http:') throw new Error(`unsupported protocol ${target.protocol}`);
  // node:https brings TLS along: loaded only for an https URL
  const [{ request: send }, ca] = isHttps
    ? await Promise.all([import('node:https'), deferredCa()])
    : [await import('node:http'), undefined];
  return new Promise((resolve, reject) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const req = send(target, {
      method: request.method,
      headers: { ...request.headers, ...(body ? { 'content-length': String(body.length) } : {}) },
      agent: false,
      ...(ca ? { ca } : {}),
    });
    // settles once; the socket's later errors (from the destroy) land in `fail` and change nothing
    const fail = (error: Error): void => {
      clearTimeout(timer);
      reject(error);
      req.destroy();
    };
    const timer = setTimeout(
      () => fail(new HttpTimeoutError(`timed out after ${request.timeoutMs} ms`)),
      request.timeoutMs,
    );
    req.on('error', fail);
    req.on('response', (res: IncomingMessage) => {
      res.on('error', fail);
      const status = res.statusCode ?? 0;
      const declared = Number(res.headers['content-length'] ?? 0);
      if (request.maxBytes > 0 && declared > request.maxBytes) {
        fail(new Error(`body of ${declared} bytes is over the limit of ${request.maxBytes}`));
        return;
      }
      if (request.maxBytes === 0) {
        // the body is not wanted: the status decides, a body that never ends must not turn it into a timeout
        clearTimeout(timer);
        resolve({ status, body: Buffer.alloc(0), headers: res.headers });
        req.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > request.maxBytes) {
          fail(new Error(`body over the limit of ${request.maxBytes} bytes`));
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => {
        clearTimeout(timer);
        resolve({ status, body: Buffer.concat(chunks), headers: res.headers });
      });
    });
    req.end(body);
  });
}
