import type { IncomingMessage, Server } from 'node:http';
import type { Socket } from 'node:net';
import { ErrorCodes } from '@velos/core';
import type { ErrorBody } from './error-response.js';
import { DRAIN_REFUSED_BODY_BYTES } from './refused-body.js';

/** HTTP parser errors (llhttp codes) that have a status of their own; any other is a 400. */
const STATUS_BY_PARSER_CODE: Record<string, number> = {
  HPE_HEADER_OVERFLOW: 431,
  HPE_CHUNK_EXTENSIONS_OVERFLOW: 413,
  ERR_HTTP_REQUEST_TIMEOUT: 408,
};

const REASONS: Record<number, string> = {
  400: 'Bad Request',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  431: 'Request Header Fields Too Large',
};

/**
 * Fastify's `clientErrorHandler`: a request Node's HTTP parser refuses (headers over 16 KiB, a malformed
 * request line) gets the API's JSON error shape and the connection is closed, as fastify's own does.
 */
export function answerClientError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const status = STATUS_BY_PARSER_CODE[error.code ?? ''] ?? 400;
  endWithError(socket, status, {
    error: {
      code: ErrorCodes.INVALID_ARGUMENT,
      message: `bad HTTP request (${error.code ?? 'unparsable'}): ${error.message}`,
    },
  });
}

/**
 * Answers `CONNECT` with 405 in the JSON error shape (the API is no proxy). Node hands a CONNECT to the
 * server's `connect` listeners, not to fastify, and with none it destroyed the socket without a word.
 * `methods` lists what the routes take, for `Allow`.
 */
export function answerConnect(server: Server, methods: () => readonly string[]): void {
  server.on('connect', (request: IncomingMessage, socket: Socket) => {
    socket.on('error', () => socket.destroy());
    const allow = [...methods()].sort().join(', ');
    endWithError(
      socket,
      405,
      {
        error: {
          code: ErrorCodes.METHOD_NOT_ALLOWED,
          message: `CONNECT ${String(request.url).slice(0, 100)} is not allowed: the API is no proxy; it takes ${allow}`,
        },
      },
      `Allow: ${allow}\r\n`,
    );
  });
}

/** Writes a whole HTTP/1.1 answer with a JSON error body to a socket Node's server no longer answers on, and closes it. */
function endWithError(socket: Socket, status: number, body: ErrorBody, headers = ''): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${REASONS[status]}\r\nConnection: close\r\n${headers}Content-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\n\r\n${text}`,
  );
}

/**
 * Answers an `Expect` header other than `100-continue` with 417 in the JSON error shape (Node's own 417
 * has no body); the request's body is then read and dropped, as a refused body's is (`drainRefusedBodies`).
 */
export function answerExpectations(server: Server): void {
  server.on('checkExpectation', (request, response) => {
    const body: ErrorBody = {
      error: {
        code: ErrorCodes.INVALID_ARGUMENT,
        message: `Expect: ${String(request.headers.expect).slice(0, 100)} is not supported (only 100-continue)`,
        field: 'expect',
      },
    };
    const text = JSON.stringify(body);
    // a body of a declared length up to DRAIN_REFUSED_BODY_BYTES is read and dropped, as a 413's is: a
    // connection closed under a client still writing gave it EPIPE instead of the 417 (fuzz finding)
    const declared = Number(request.headers['content-length']);
    const drains = Number.isSafeInteger(declared) && declared <= DRAIN_REFUSED_BODY_BYTES;
    response.writeHead(417, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...(drains ? {} : { connection: 'close' }),
    });
    if (drains) request.resume();
    response.end(text);
  });
}
