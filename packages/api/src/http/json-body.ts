import { isUtf8 } from 'node:buffer';
import { fieldError } from '@velos/core';
import type { FastifyInstance } from 'fastify';

/** The keys fastify's JSON parser refuses (prototype poisoning), in the order they are looked for. */
const POISONING_KEYS = ['__proto__', 'constructor'] as const;

/**
 * Parses `application/json` bodies with fastify's own parser (`__proto__` and `constructor.prototype`
 * refused), an empty body read as none (a POST without arguments may come with the content type and no
 * body). fastify answers a refused key with the message of a malformed body, "Body is not valid JSON",
 * which sends the client looking for a syntax error: such a body is told the key instead, still a 400.
 */
export function registerJsonBody(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, raw, done) => {
    const bytes = raw as Buffer;
    if (bytes.length === 0) {
      done(null, undefined);
      return;
    }
    // decoded as it came, bytes that are not UTF-8 became U+FFFD in silence: an env value or a
    // message sent in Latin-1 reached the app or the events changed
    if (!isUtf8(bytes)) {
      done(fieldError('body', 'not valid UTF-8: send the JSON text encoded as UTF-8'), undefined);
      return;
    }
    const body = bytes.toString('utf8');
    parseJson(request, body, (error, parsed) => {
      if (error === null) done(null, parsed);
      else done(explainRefusal(error, body), undefined);
    });
  });
}

/** `error` with the refused key named when the body is valid JSON that fastify refused for one. */
function explainRefusal(error: Error, body: string): Error {
  const key = poisoningKey(body);
  if (key === null) return error;
  error.message = `Body refused: a "${key}" key is not taken (it could change the prototype of objects); rename or remove it`;
  return error;
}

/** The first refused key a valid JSON text holds (only read on the path of a refused body), or null. */
function poisoningKey(body: string): string | null {
  const found = new Set<string>();
  try {
    JSON.parse(body, (key, value) => {
      if (key === '__proto__') found.add(key);
      else if (key === 'constructor' && typeof value === 'object' && value !== null && 'prototype' in value)
        found.add(key);
      return value;
    });
  } catch {
    return null;
  }
  return POISONING_KEYS.find((key) => found.has(key)) ?? null;
}
