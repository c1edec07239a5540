import { createRequire } from 'node:module';

type Builder = (...args: unknown[]) => unknown;

// fastify's own copies of its compilers (its dependencies, not the API's): resolved from fastify's directory
const requireFromFastify = createRequire(createRequire(import.meta.url).resolve('fastify'));

/** A builder that loads fastify's default one (`selector()`) the first time a route needs it. */
function lazyBuilder(id: string): Builder {
  let builder: Builder | undefined;
  return (...args) => {
    builder ??= (requireFromFastify(id) as () => Builder)();
    return builder(...args);
  };
}

/**
 * fastify's `schemaController` option with its default compilers (ajv for validation,
 * fast-json-stringify for serialisation) loaded on first use instead of in `Fastify()`: ~90 ms of CPU
 * at every `velos serve` start, and the API's routes declare no JSON schema (they validate with the
 * core's zod schemas), so none loads. A route that declared one would get fastify's very compilers,
 * with the server's `ajv` and `serializerOpts` options (fastify then treats them as custom ones, which
 * only stops it lower-casing the keys of a `headers` schema).
 */
export function lazySchemaCompilers(): {
  compilersFactory: { buildValidator: Builder; buildSerializer: Builder };
} {
  return {
    compilersFactory: {
      buildValidator: lazyBuilder('@fastify/ajv-compiler'),
      buildSerializer: lazyBuilder('@fastify/fast-json-stringify-compiler'),
    },
  };
}
