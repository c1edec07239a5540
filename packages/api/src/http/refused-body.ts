import type { FastifyInstance } from 'fastify';

/** Largest refused body the server reads to its end rather than closing the connection under it. */
export const DRAIN_REFUSED_BODY_BYTES = 16 * 1024 * 1024;

/**
 * A body over the limit is refused (413) from its `content-length`, before it is read. Fastify then
 * closes the connection, and a socket closed with unread bytes sends the client a reset: a client still
 * writing its body gets EPIPE or ECONNRESET, often before it can read the 413. Up to
 * DRAIN_REFUSED_BODY_BYTES the connection is kept instead: Node's server reads the rest of the body
 * and drops it, and the client reads the 413 (nginx's lingering close does the same). A larger one is
 * still closed at once.
 */
export function drainRefusedBodies(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    if (reply.statusCode !== 413 || request.raw.complete) return payload;
    const declared = Number(request.headers['content-length']);
    if (Number.isSafeInteger(declared) && declared <= DRAIN_REFUSED_BODY_BYTES)
      reply.removeHeader('connection');
    return payload;
  });
}
