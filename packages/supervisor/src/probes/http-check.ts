import type { IncomingMessage } from 'node:http';
import type { ProbeCheck } from '@velos/core';
import { describeNetError } from './check-error.js';

type HttpCheck = Extract<ProbeCheck, { kind: 'http' }>;

/**
 * One HTTP GET: passes (null) when the status is in the check's range, else returns why it failed
 * (`HTTP 503`, `connect ECONNREFUSED …`). Redirects are not followed; HTTPS certificates are not verified.
 */
export async function checkHttp(check: HttpCheck, signal: AbortSignal): Promise<string | null> {
  const url = new URL(check.url);
  const isHttps = url.protocol === 'https:';
  // node:https brings TLS along: load it only for an https probe
  const { request } = isHttps ? await import('node:https') : await import('node:http');
  return new Promise((resolve) => {
    const req = request(
      url,
      {
        method: 'GET',
        headers: { 'user-agent': 'velos-probe', ...check.headers },
        agent: false,
        signal,
        ...(isHttps ? { rejectUnauthorized: false } : {}),
      },
      (res: IncomingMessage) => {
        const status = res.statusCode ?? 0;
        res.destroy();
        resolve(status >= check.statusMin && status <= check.statusMax ? null : `HTTP ${status}`);
      },
    );
    req.on('error', (error) => resolve(signal.aborted ? 'aborted' : describeNetError(error)));
    req.end();
  });
}
