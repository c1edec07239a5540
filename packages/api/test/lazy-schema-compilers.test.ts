import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazySchemaCompilers } from '../src/http/lazy-schema-compilers.js';

/** A route with a body and a response schema, on fastify with the given schema controller. */
async function answers(schemaController?: ReturnType<typeof lazySchemaCompilers>) {
  const app = Fastify(schemaController ? { schemaController: schemaController as never } : {});
  app.post(
    '/',
    {
      schema: {
        body: { type: 'object', required: ['n'], properties: { n: { type: 'integer', minimum: 1 } } },
        response: { 200: { type: 'object', properties: { n: { type: 'integer' } } } },
      },
    },
    async (request) => ({ n: (request.body as { n: number }).n, dropped: true }),
  );
  try {
    const bodies = [{ n: 2 }, { n: 0 }, {}, { n: 'x' }];
    return await Promise.all(
      bodies.map(async (payload) => {
        const reply = await app.inject({ method: 'POST', url: '/', payload });
        return `${reply.statusCode} ${reply.body}`;
      }),
    );
  } finally {
    await app.close();
  }
}

describe('lazySchemaCompilers', () => {
  it('validates and serialises a route with schemas as fastify by default does', async () => {
    const lazy = await answers(lazySchemaCompilers());
    expect(lazy).toEqual(await answers());
    // the response schema drops what it does not declare; a bad body is fastify's 400
    expect(lazy[0]).toBe('200 {"n":2}');
    expect(lazy[1]).toMatch(/^400 .*body\/n must be >= 1/);
  });
});
