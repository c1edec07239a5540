import * as schemas from '@velos/core/schemas';
import { describe, expect, it } from 'vitest';
import { toJSONSchema } from 'zod/mini';
import { buildOpenApiDocument } from '../src/openapi/openapi-document.js';
import type { CommandRoute, QueryType } from '../src/rest/route-types.js';
import { API_ROUTES } from '../src/rest/routes.js';
import type { Json } from './support/api-server.js';

const document: Json = buildOpenApiDocument(schemas, toJSONSchema as never);

/** The JSON Schema properties of a command's request schema, as the document derives them. */
function propertiesOf(route: CommandRoute): Record<string, Json> {
  const json = toJSONSchema(schemas.requestSchemas[route.command] as never, {
    io: 'input',
    unrepresentable: 'any',
  }) as Json;
  return json.properties ?? {};
}

/**
 * The keys of the command's schema a GET route takes from the query: all but its path's params and
 * those its payload sets itself (`view` of the log analyses), each under its name on the wire.
 */
async function queryKeysOf(route: CommandRoute): Promise<string[]> {
  const params = Object.fromEntries([...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => [name, 'x']));
  // what the payload holds without any query: the path's params and the keys the route sets itself
  const set = (await route.payload({ params, query: {}, body: {} }, undefined as never)) as Json;
  return Object.keys(propertiesOf(route))
    .filter((key) => set[key] === undefined)
    .map((key) => route.fields?.[key] ?? key);
}

/** The JSON Schema types a query value of each type of `readParts` can become. */
const JSON_TYPE: Record<QueryType, string[]> = {
  string: ['string'],
  int: ['integer'],
  number: ['number'],
  boolean: ['boolean'],
  time: ['number'],
  list: ['array'],
};

const GET_COMMANDS = API_ROUTES.filter(
  (route): route is CommandRoute => route.kind === 'command' && route.method === 'GET',
);

describe('the query parameters of the OpenAPI document', () => {
  it.each(GET_COMMANDS.map((route) => [`${route.method} ${route.path}`, route] as const))(
    '%s documents every key of its schema the query gives, with the schema of each',
    async (_name, route) => {
      const path = `/api/v1${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const parameters: Json[] = document.paths[path].get.parameters ?? [];
      const documented = parameters.filter((p) => p.in === 'query');
      const expected = await queryKeysOf(route);
      expect(documented.map((p) => p.name).sort()).toEqual([...expected].sort());
      // the keys the route reads from the query are those too, so the document says what it takes
      expect(Object.keys(route.query ?? {}).sort()).toEqual([...expected].sort());
      const properties = propertiesOf(route);
      const rename = Object.fromEntries(Object.entries(route.fields ?? {}).map(([key, name]) => [name, key]));
      for (const parameter of documented) {
        const property = properties[rename[parameter.name] ?? parameter.name];
        const schema =
          route.query?.[parameter.name] === 'time' ? parameter.schema.anyOf[0] : parameter.schema;
        expect(schema, `${path} ${parameter.name}`).toEqual(property);
        // and the text of the query becomes a value of the type the schema takes
        expect(JSON_TYPE[route.query![parameter.name]!], `${path} ${parameter.name}`).toContain(
          property.type ?? 'string',
        );
      }
    },
  );

  it('describes a time as the texts the API turns into epoch ms, within the schema bounds', () => {
    const since = document.paths['/api/v1/events'].get.parameters.find((p: Json) => p.name === 'since');
    expect(since.description).toMatch(/duration ago/);
    expect(since.schema.anyOf).toEqual([
      { type: 'number', minimum: 0, maximum: 8.64e15 },
      { type: 'string', minLength: 1 },
    ]);
  });

  it('takes the log analyses their limit, which the schema has', () => {
    const patterns = document.paths['/api/v1/logs/{target}/patterns'].get.parameters;
    expect(patterns.find((p: Json) => p.name === 'limit').schema).toMatchObject({
      type: 'integer',
      minimum: 1,
    });
  });
});
