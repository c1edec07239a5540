import { createHash, timingSafeEqual } from 'node:crypto';
import type { ApiAuth, ApiScope } from '../options.js';

/** Tells the scope a bearer token grants, or null for an unknown token. */
export type Authenticate = (token: string) => ApiScope | null;

/**
 * The authenticator of an `ApiAuth`: tokens are compared in constant time (as SHA-256 digests, so
 * the length of a wrong token tells nothing either); with auth disabled every caller is admin.
 * @example createAuthenticator({ tokens: { admin, read } })(token) // 'admin' | 'read' | null
 */
export function createAuthenticator(auth: ApiAuth): Authenticate {
  if ('disabled' in auth) return () => 'admin';
  const admin = digest(auth.tokens.admin);
  const read = auth.tokens.read === undefined ? null : digest(auth.tokens.read);
  return (token) => {
    const given = digest(token);
    // both comparisons always run: which one matched must not show in the timing
    const isAdmin = timingSafeEqual(given, admin);
    const isRead = read !== null && timingSafeEqual(given, read);
    if (isAdmin) return 'admin';
    return isRead ? 'read' : null;
  };
}

/** The token of an `Authorization: Bearer <token>` header, or null when there is none. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ \t]+([^\s]+)[ \t]*$/i.exec(header);
  return match ? match[1]! : null;
}

/** True when a token of `scope` may make a request that needs `needed`. */
export function isAllowed(scope: ApiScope, needed: ApiScope): boolean {
  return scope === 'admin' || needed === 'read';
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
