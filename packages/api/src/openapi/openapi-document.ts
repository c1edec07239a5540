import { findCommand, VELOS_VERSION } from '@velos/core';
import type { ApiRoute, QueryType } from '../rest/route-types.js';
import { API_PREFIX, API_ROUTES } from '../rest/routes.js';
import { CONFIG_FORMATS } from '../rest/start-body.js';

type JsonSchema = Record<string, unknown>;
type Schemas = typeof import('@velos/core/schemas');
type ToJsonSchema = (schema: never, params: Record<string, unknown>) => JsonSchema;

/** The formats zod writes for string checks that JSON Schema has no format for (each has its pattern). */
const ZOD_CHECK_FORMATS = new Set(['starts_with', 'ends_with', 'includes']);

const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input; `field` names it',
  '401': 'No valid bearer token',
  '403': "The token's scope does not allow this",
  '404': 'Target or route not found',
  '409':
    'Conflicts with what exists: NAME_IN_USE (an app or alert rule of that name), CONFIG_ROLLED_BACK, NOTHING_TO_SAVE (a save with no process listed, not forced)',
  '413': 'Request body over the limit',
  '415': 'A body that is not application/json',
  '429': 'Rate limited; see Retry-After',
  '503': 'The daemon does not answer',
};

/**
 * The OpenAPI 3.1 document of the REST API, generated from the routes table and the core request
 * schemas (zod's JSON Schema output), with the bearer security scheme and the error answers.
 */
export function buildOpenApiDocument(schemas: Schemas, toJsonSchema: ToJsonSchema): JsonSchema {
  const jsonOf = (schema: unknown): JsonSchema => {
    const { $schema: _dialect, ...json } = toJsonSchema(schema as never, {
      io: 'input',
      unrepresentable: 'any',
      // zod names its string checks as formats (`starts_with`, `ends_with`, `includes`) beside the
      // `pattern` that says the same: formats no validator knows, so only the pattern is kept
      override: ({ jsonSchema }: { jsonSchema: JsonSchema }) => {
        if (typeof jsonSchema.format === 'string' && ZOD_CHECK_FORMATS.has(jsonSchema.format))
          delete jsonSchema.format;
      },
    });
    return json;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const path = `${API_PREFIX}${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = operation(route, schemas, jsonOf);
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Velos API',
      version: VELOS_VERSION,
      description:
        'REST API of the Velos process manager. Bearer tokens: `read` for GET routes, `admin` for everything ' +
        '(`$VELOS_HOME/api-tokens`). Streams (logs, events, metrics) are on the WebSocket `/api/v1/ws`; ' +
        'MCP over streamable HTTP is at `/mcp` (admin token).',
    },
    servers: [{ url: '/' }],
    security: [{ bearer: [] }],
    tags: [...new Set(API_ROUTES.map((route) => route.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            'A token of $VELOS_HOME/api-tokens (or --token-file): a read token for GET routes, an admin token for all.',
        },
      },
      schemas: {
        LogLine: LOG_LINE,
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string', description: 'One of the Velos ErrorCodes' },
                message: { type: 'string' },
                field: { type: 'string', description: 'The offending input, as `a.b[0].c`' },
                issues: {
                  type: 'array',
                  description:
                    'Every problem, when the input has several (a config text, the apps of a start)',
                  items: {
                    type: 'object',
                    required: ['message'],
                    properties: { field: { type: 'string' }, message: { type: 'string' } },
                  },
                },
                more: { type: 'integer', description: 'Problems left out of `issues`' },
              },
            },
          },
        },
      },
      responses: Object.fromEntries(
        Object.entries(ERROR_STATUSES).map(([status, description]) => [
          `E${status}`,
          {
            description,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
          },
        ]),
      ),
    },
  };
}

function operation(route: ApiRoute, schemas: Schemas, jsonOf: (schema: unknown) => JsonSchema): JsonSchema {
  const command = route.kind === 'command' ? route.command : route.commands[0];
  const payload =
    route.kind === 'command' ? jsonOf(schemas.requestSchemas[route.command]) : { properties: {} };
  const properties = (payload.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((payload.required ?? []) as string[]);
  const rename = Object.fromEntries(Object.entries(route.fields ?? {}).map(([key, name]) => [name, key]));
  const propertyOf = (name: string): JsonSchema | undefined => properties[rename[name] ?? name];
  const parameters = [
    ...[...route.path.matchAll(/:([A-Za-z]+)/g)].map(([, name]) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string', minLength: 1, maxLength: 200 },
      ...(name === 'target' ? { description: 'A process name, id, namespace or `all`' } : {}),
    })),
    ...Object.entries(route.query ?? {}).map(([name, type]) => {
      const property = propertyOf(name);
      // the spec says only what the schema the route validates with says: a query parameter the
      // command's schema does not take is a mistake of the routes table, not a type to make up here
      if (property === undefined) {
        throw new Error(
          `${route.method} ${route.path}: query parameter ${name} is not in the command's schema`,
        );
      }
      return queryParameter(name, type, property);
    }),
  ];
  const op: JsonSchema = {
    operationId: operationId(route),
    summary: route.summary ?? (command === undefined ? route.path : findCommand(command)?.description),
    tags: [route.tag],
    'x-velos-scope': route.scope,
    ...(command === undefined
      ? {}
      : { 'x-velos-commands': route.kind === 'command' ? [route.command] : route.commands }),
    // an open route takes anyone, and answers more to a token (`/health`'s components)
    ...(route.scope === 'none' ? { security: [{}, { bearer: [] }] } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    responses: responses(route),
  };
  if (route.body !== undefined) {
    const body =
      route.kind === 'command' && route.command === 'start'
        ? startBody(jsonOf(schemas.appSpecSchema))
        : bodySchema(route.body, propertyOf, required, rename);
    op.requestBody = {
      required: Array.isArray(body.required) && body.required.length > 0,
      content: { 'application/json': { schema: body } },
    };
  }
  return op;
}

/** A query parameter: the schema's property, a time also as the texts `readParts` turns into epoch ms. */
function queryParameter(name: string, type: QueryType, property: JsonSchema): JsonSchema {
  if (type === 'time') {
    return {
      name,
      in: 'query',
      description: 'Epoch ms, an ISO date, or a duration ago such as `15m`',
      schema: { anyOf: [property, { type: 'string', minLength: 1 }] },
    };
  }
  if (type === 'list') {
    return { name, in: 'query', description: 'Repeat it, or separate values with commas', schema: property };
  }
  return { name, in: 'query', schema: property };
}

function bodySchema(
  keys: readonly string[],
  propertyOf: (name: string) => JsonSchema | undefined,
  required: Set<string>,
  rename: Record<string, string>,
): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const key of keys) {
    const property = propertyOf(key) ?? {};
    // scale's instances: the protocol takes "3", "+1", "-1"; the API takes a number too
    properties[key] = key === 'instances' ? { anyOf: [property, { type: 'integer' }] } : property;
  }
  const needed = keys.filter((key) => required.has(rename[key] ?? key));
  return {
    type: 'object',
    additionalProperties: false,
    properties,
    ...(needed.length > 0 ? { required: needed } : {}),
  };
}

/** An app of `POST /processes` written as a config file's app entry, resolved by the config loader. */
const CONFIG_APP_ENTRY: JsonSchema = {
  type: 'object',
  description:
    'An app as a velos.json entry: snake_case config keys (name, script, args, instances, env, kill_timeout…, ' +
    'docs/configuration.md), defaults filled; needs an absolute cwd or an absolute script path (its directory is then the cwd)',
  required: ['script'],
  properties: {
    name: { type: 'string' },
    script: { type: 'string' },
    cwd: { type: 'string', description: 'An absolute directory' },
    args: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    instances: { anyOf: [{ type: 'integer' }, { type: 'string' }] },
    env: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

function startBody(appSpec: JsonSchema): JsonSchema {
  return {
    oneOf: [
      {
        type: 'object',
        additionalProperties: false,
        required: ['apps'],
        properties: {
          apps: { type: 'array', minItems: 1, maxItems: 1000, items: { anyOf: [CONFIG_APP_ENTRY, appSpec] } },
        },
      },
      {
        type: 'object',
        additionalProperties: false,
        required: ['config', 'format'],
        properties: {
          config: { type: 'string', description: "A config file's text (apps as in velos.toml)" },
          format: { type: 'string', enum: [...CONFIG_FORMATS] },
          cwd: {
            type: 'string',
            description:
              'Absolute directory relative paths resolve against (required when an app has no absolute cwd)',
          },
          envProfile: { type: 'string', description: "Merge each app's env_<profile> table over its env" },
        },
      },
    ],
  };
}

function responses(route: ApiRoute): JsonSchema {
  if (route.path === '/health') return HEALTH_RESPONSES;
  if (route.path === '/logs/:target' || route.path === '/logs/:target/search')
    return { ...plainResponses(route), '200': LOG_LINES_OK };
  return plainResponses(route);
}

function plainResponses(route: ApiRoute): JsonSchema {
  const isText = route.path.endsWith('/prometheus') || route.path === '/monitoring/metrics';
  const ok = isText
    ? {
        description: 'Prometheus text format 0.0.4',
        content: { 'text/plain': { schema: { type: 'string' } } },
      }
    : {
        description: "The command's result",
        content: { 'application/json': { schema: { type: 'object' } } },
      };
  const errors = Object.keys(ERROR_STATUSES).filter((status) => {
    if (route.scope === 'none') return status === '503';
    if (status === '403') return route.scope === 'admin';
    if (status === '409') return route.conflicts !== undefined;
    if (status === '413' || status === '415') return route.body !== undefined;
    return true;
  });
  return {
    '200': ok,
    ...Object.fromEntries(errors.map((status) => [status, { $ref: `#/components/responses/E${status}` }])),
  };
}

/** A log line as `GET /logs/…` and the WebSocket's `logs` topic give it (`LogLine` of @velos/core). */
const LOG_LINE: JsonSchema = {
  type: 'object',
  required: ['ts', 'stream', 'id', 'name', 'pid', 'line'],
  properties: {
    ts: { type: 'integer', description: "Epoch ms the daemon read the line (or a JSON line's own time)" },
    stream: { type: 'string', enum: ['out', 'err'] },
    id: { type: 'integer' },
    name: { type: 'string' },
    pid: { type: ['integer', 'null'] },
    line: { type: 'string' },
    lvl: {
      type: 'string',
      enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace'],
      description:
        "The line's level as the log engine's search judges it (ENG-1: a JSON line's own level, the app's log_rules, the built-in rules; a stack frame takes its event's; the stderr lines just before a crash are error); always in GET /logs/{target}, in a search by level",
    },
    fields: { type: 'object', description: 'The other fields of a parsed JSON line' },
    bytesBase64: {
      type: 'string',
      description: 'With withBytes: the bytes of a line that is not valid UTF-8',
    },
    isIdKnown: {
      type: 'boolean',
      description: "Set when the line is known to be process id's among its app's several",
    },
  },
};

const LOG_LINES_OK: JsonSchema = {
  description: 'The lines, oldest first',
  content: {
    'application/json': {
      schema: {
        type: 'object',
        required: ['lines'],
        properties: { lines: { type: 'array', items: { $ref: '#/components/schemas/LogLine' } } },
      },
    },
  },
};

const HEALTH_STATUS = { type: 'string', enum: ['healthy', 'degraded', 'unhealthy'] };
const HEALTH_BODY = {
  type: 'object',
  required: ['status'],
  properties: {
    status: HEALTH_STATUS,
    components: {
      description: 'With a valid token (or auth off) only',
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'status'],
        properties: {
          name: { type: 'string' },
          status: HEALTH_STATUS,
          reason: { type: 'string' },
          value: { type: 'number' },
        },
      },
    },
    at: { type: 'integer', description: 'Epoch ms of the evaluation; with a valid token only' },
  },
};

/** `/health` answers its own body, also with 503 (unhealthy, or the daemon unreachable). */
const HEALTH_RESPONSES: JsonSchema = {
  '200': {
    description: "The daemon's overall self-health (healthy or degraded)",
    content: { 'application/json': { schema: HEALTH_BODY } },
  },
  '503': {
    description: 'The daemon is unhealthy (same body), or does not answer: {status:"unreachable"}',
    content: {
      'application/json': {
        schema: {
          anyOf: [
            HEALTH_BODY,
            { type: 'object', required: ['status'], properties: { status: { const: 'unreachable' } } },
          ],
        },
      },
    },
  },
  '429': { $ref: '#/components/responses/E429' },
};

/** `GET /logs/:target/search` → `getLogsTargetSearch`. */
function operationId(route: ApiRoute): string {
  const words = route.path.split(/[/\-:]+/).filter(Boolean);
  return route.method.toLowerCase() + words.map((word) => word[0]!.toUpperCase() + word.slice(1)).join('');
}
