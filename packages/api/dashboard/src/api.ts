import { getState } from './store.js';

/** A failed API call: the HTTP status (0 when the server could not be reached) and the error's code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Base path of the REST API, relative to the page's origin. */
export const API_BASE = '/api/v1';

/** Calls the REST API with the session's token; resolves the JSON answer or throws an ApiError. */
export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const token = getState().token;
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(API_BASE + path, {
      method: init.method ?? 'GET',
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch {
    throw new ApiError(0, 'UNREACHABLE', 'the Velos API server cannot be reached');
  }
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!response.ok) {
    const error = (data as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiError(
      response.status,
      error?.code ?? `HTTP_${response.status}`,
      error?.message ?? `${response.status} ${response.statusText}`.trim(),
    );
  }
  return data as T;
}

/**
 * Which side an error says is down: `server` when the API server could not be reached, or answered a
 * 503 without the API's own error (a server closing, or a proxy in front of it); `daemon` for the API's
 * 503 (`DAEMON_UNAVAILABLE`…: the server is up, its daemon is not); null for any other error.
 */
export function problemSide(error: unknown): 'server' | 'daemon' | null {
  if (!(error instanceof ApiError)) return null;
  if (error.status === 0) return 'server';
  if (error.status !== 503) return null;
  return error.code === 'HTTP_503' ? 'server' : 'daemon';
}

/** A path segment for a target (app name, id or `all`). */
export function seg(target: string | number): string {
  return encodeURIComponent(String(target));
}

/** A query string from the defined values (`?a=1&b=x`, or empty). */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
