import type { IncomingMessage } from 'node:http';
import type { ApiScope } from '../options.js';

const scopes = new WeakMap<IncomingMessage, ApiScope>();

/** Records the scope the auth hook granted a request (admin for every request with auth off). */
export function setRequestScope(request: { raw: IncomingMessage }, scope: ApiScope): void {
  scopes.set(request.raw, scope);
}

/** The scope granted to a request; `read` when none was recorded (an open route), never more. */
export function requestScope(request: { raw: IncomingMessage }): ApiScope {
  return scopes.get(request.raw) ?? 'read';
}

/** The scope a request's token was granted, or null for an anonymous caller of an open route. */
export function grantedScope(request: { raw: IncomingMessage }): ApiScope | null {
  return scopes.get(request.raw) ?? null;
}
