import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';
import type { StaticFileOptions } from './static-file-reply.js';

export type { StaticFileOptions } from './static-file-reply.js';

type SendFile = (
  request: FastifyRequest,
  reply: FastifyReply,
  options: StaticFileOptions,
) => Promise<unknown>;

/**
 * Serves the files under `options.root` at `GET`/`HEAD` of every path no other route takes (the
 * dashboard's build), with a handler of Velos's own (`static-file-reply.ts`) loaded by the first
 * request, not at start. What it serves and refuses is that module's; a refused path is the app's 404.
 */
export function registerStaticFiles(app: FastifyInstance, options: StaticFileOptions): void {
  let sendFile: SendFile | undefined;
  let loading: Promise<SendFile> | undefined;
  app.route({
    method: ['HEAD', 'GET'],
    url: '/*',
    // kept out of any generated API description (FastifySchema does not declare `hide`)
    schema: { hide: true } as FastifySchema,
    // a client gone mid-file ends the request; anything else is the server's error
    errorHandler(error, request, reply) {
      if ((error as { code?: string } | undefined)?.code === 'ERR_STREAM_PREMATURE_CLOSE') {
        reply.request.raw.destroy();
        return;
      }
      return app.errorHandler(error, request, reply);
    },
    async handler(request, reply) {
      loading ??= import('./static-file-reply.js').then((loaded) => loaded.replyWithFile);
      sendFile ??= await loading;
      await sendFile(request, reply, options);
      return reply;
    },
  });
}
