import type { FastifyStaticOptions } from '@fastify/static';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';

type StaticHandler = (request: FastifyRequest, reply: FastifyReply) => void;

/** The route @fastify/static declares with `wildcard` on (its default): `HEAD`/`GET` of `<prefix>*`. */
const STATIC_METHODS = ['HEAD', 'GET'];

/**
 * `app.register(fastifyStatic, options)` with the plugin loaded by the route's first request instead
 * of at start (~100 ms of CPU for `velos serve`: @fastify/send, glob, mime…). The route is the one the
 * plugin declares (`HEAD`/`GET` of `<prefix>*`, hidden from schemas, its error handler); its handler
 * is the plugin's very own, taken by running the plugin against a stand-in of the instance that keeps
 * the route it declares. The first requests wait for the load; later ones call the handler directly.
 * Not for options that make the plugin declare other routes (`wildcard: false`, `redirect`): it throws.
 * The plugin's `reply.sendFile` and `reply.download` are not decorated (nothing of the API uses them).
 */
export function registerLazyStatic(
  app: FastifyInstance,
  options: FastifyStaticOptions & { root: string; prefix: '/' },
): void {
  if (options.wildcard === false || options.redirect === true) {
    throw new Error('registerLazyStatic serves the wildcard route of @fastify/static only');
  }
  let handle: StaticHandler | undefined;
  let loading: Promise<StaticHandler> | undefined;
  app.route({
    method: STATIC_METHODS,
    url: `${options.prefix}*`,
    // fastify's swagger-era `hide`, kept as the plugin sets it (FastifySchema does not declare it)
    schema: { hide: true } as FastifySchema,
    // as the plugin's: a client gone mid-file ends the request, anything else is the server's error
    errorHandler(error, request, reply) {
      if ((error as { code?: string } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
        reply.request.raw.destroy();
        return;
      }
      return app.errorHandler(error, request, reply);
    },
    handler(request, reply) {
      if (handle !== undefined) return handle(request, reply);
      loading ??= loadHandler(app, options);
      // the reply is a thenable settled once the plugin's handler has sent the file (or the 404)
      return loading.then((loaded) => {
        handle = loaded;
        loaded(request, reply);
        return reply;
      });
    },
  });
}

/** Runs @fastify/static's plugin against a stand-in of `app` and returns the handler of its route. */
async function loadHandler(app: FastifyInstance, options: FastifyStaticOptions): Promise<StaticHandler> {
  const plugin = (await import('@fastify/static')).default as unknown as (
    instance: unknown,
    options: FastifyStaticOptions,
  ) => Promise<void>;
  let handler: StaticHandler | undefined;
  const standIn = {
    log: app.log,
    get errorHandler() {
      return app.errorHandler;
    },
    decorateReply: () => standIn,
    route(route: { method: string[]; path: string; handler: StaticHandler }) {
      const isExpected =
        handler === undefined &&
        route.path === `${options.prefix}*` &&
        [route.method].flat().join() === STATIC_METHODS.join();
      if (!isExpected) throw new Error(`@fastify/static declared an unexpected route ${route.path}`);
      handler = route.handler;
      return standIn;
    },
  };
  // the plugin mutates its options (prefix, dotfiles): a copy keeps the caller's as given
  await plugin(standIn, { ...options });
  if (handler === undefined) throw new Error('@fastify/static declared no route');
  return handler;
}
