import { ErrorCodes, parseTimeBound, VelosError } from '@velos/core';
import type { ApiRoute, QueryType, RequestParts } from './route-types.js';

/** Longest query value accepted, in characters. */
const MAX_QUERY_CHARS = 4096;
const NUMBER = /^-?\d+(\.\d+)?$/;
const INT = /^-?\d+$/;

/**
 * The params, query and body of a request as a route reads them, after the cheap checks: only the
 * route's query parameters and body keys, each query value once and short, typed by the route.
 */
export function readParts(
  route: ApiRoute,
  request: { params: unknown; query: unknown; body: unknown },
  now = Date.now(),
): RequestParts {
  const params = (request.params ?? {}) as Record<string, string>;
  return { params, query: readQuery(route, request.query, now), body: readBody(route, request.body) };
}

function readQuery(route: ApiRoute, raw: unknown, now: number): Record<string, unknown> {
  if (route.ignoresQuery === true) return {};
  const types = route.query ?? {};
  const query: Record<string, unknown> = {};
  for (const [key, value] of Object.entries((raw ?? {}) as Record<string, unknown>)) {
    const type = types[key];
    if (type === undefined) throw unknownKey(key, 'query parameter', Object.keys(types));
    const values = (Array.isArray(value) ? value : [value]).map(String);
    if (values.some((text) => text.length > MAX_QUERY_CHARS)) {
      throw invalid(key, `expected at most ${MAX_QUERY_CHARS} characters`);
    }
    if (type === 'list') {
      query[key] = values
        .flatMap((text) => text.split(','))
        .map((item) => item.trim())
        .filter(Boolean);
      continue;
    }
    if (values.length > 1) throw invalid(key, 'given more than once');
    const text = values[0]!;
    query[key] = coerce(text, type, now);
    // every query value is text: a value of another type that does not parse is named here, where
    // the schema would say "expected number, received string"
    if (type !== 'string' && typeof query[key] === 'string') {
      throw invalid(key, `expected ${EXPECTED[type]}, got ${JSON.stringify(text.slice(0, 100))}`);
    }
  }
  return query;
}

/** What a query value of each type (but text) must look like, for the error. */
const EXPECTED: Record<Exclude<QueryType, 'string' | 'list'>, string> = {
  int: 'a whole number',
  number: 'a number',
  boolean: 'true, false, 1 or 0',
  time: 'epoch milliseconds, a duration ago like 10m, 2h, 1d or a time like 2026-12-01T10:00:00Z',
};

/** The typed value of a query text; a text that does not fit is kept as it is. */
function coerce(text: string, type: Exclude<QueryType, 'list'>, now: number): unknown {
  if (type === 'int') return INT.test(text) ? Number(text) : text;
  if (type === 'number') return NUMBER.test(text) ? Number(text) : text;
  if (type === 'boolean') {
    if (text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
    return text;
  }
  if (type === 'time') return timeOf(text, now);
  return text;
}

/** Epoch ms from epoch ms, an ISO date, or a duration ago (`15m`, `2h`); else the text, for the schema to refuse. */
function timeOf(text: string, now: number): unknown {
  if (NUMBER.test(text)) return Number(text);
  const at = parseTimeBound(text, now);
  return typeof at === 'number' ? at : text;
}

function readBody(route: ApiRoute, body: unknown): Record<string, unknown> {
  const allowed = route.body;
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw invalid('body', 'expected a JSON object');
  const keys = Object.keys(body);
  if (allowed === undefined) {
    if (keys.length > 0) throw invalid('body', `${route.method} ${route.path} takes no body`);
    return {};
  }
  for (const key of keys) if (!allowed.includes(key)) throw unknownKey(key, 'field', allowed);
  return body as Record<string, unknown>;
}

function unknownKey(key: string, what: string, known: readonly string[]): VelosError {
  const expected = known.length === 0 ? 'none is accepted' : `expected ${known.join(', ')}`;
  return invalid(key.slice(0, 100), `unknown ${what} (${expected})`);
}

function invalid(field: string, message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${field}: ${message}`, { data: { field } });
}
