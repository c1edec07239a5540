import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { compileErrors, validate } from '@readme/openapi-parser';
import { createClient } from '@velos/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { statusOfCode } from '../src/http/error-response.js';
import { API_ROUTES } from '../src/rest/routes.js';
import { call, type Json, startServer, type TestServer } from './support/api-server.js';

let api: TestServer;
let home: string;
let document: Json;

beforeAll(async () => {
  // the document needs no daemon: this server's control points at an empty home
  home = mkdtempSync(join(tmpdir(), 'velos-api-openapi-'));
  api = await startServer(createClient({ home }));
  const answer = await call(api.url, 'GET', '/api/v1/openapi.json', { token: api.read });
  expect(answer.status).toBe(200);
  document = answer.body;
});

afterAll(async () => {
  await api?.server.close();
  rmSync(home, { recursive: true, force: true });
});

describe('/api/v1/openapi.json', () => {
  it('is a valid OpenAPI 3.1 document', async () => {
    const result = await validate(structuredClone(document));
    expect(result.valid, result.valid ? '' : compileErrors(result)).toBe(true);
    expect(document.openapi).toBe('3.1.0');
  });

  it('uses only formats JSON Schema or the OpenAPI registry define (a validator only warns of others)', () => {
    // JSON Schema 2020-12's formats, and those of the OpenAPI format registry
    const known = new Set([
      ...['date-time', 'date', 'time', 'duration', 'email', 'idn-email', 'hostname', 'idn-hostname'],
      ...['ipv4', 'ipv6', 'uri', 'uri-reference', 'iri', 'iri-reference', 'uuid', 'uri-template'],
      ...['json-pointer', 'relative-json-pointer', 'regex'],
      ...['int32', 'int64', 'float', 'double', 'byte', 'binary', 'password'],
    ]);
    const formats: string[] = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) for (const item of node) visit(item);
      else if (node !== null && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === 'format' && typeof value === 'string') formats.push(value);
          else visit(value);
        }
      }
    };
    visit(document);
    expect(formats.filter((format) => !known.has(format))).toEqual([]);
    // what zod wrote as a format is still said, by the pattern beside it
    const reload =
      document.paths['/api/v1/config/reload'].post.requestBody.content['application/json'].schema;
    expect(reload.properties.file).toMatchObject({ type: 'string', pattern: String.raw`^\/.*` });
  });

  it('describes every route of the table with its scope and the bearer scheme', () => {
    expect(document.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    for (const route of API_ROUTES) {
      const path = `/api/v1${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`;
      const operation = document.paths[path]?.[route.method.toLowerCase()];
      expect(operation, `${route.method} ${path}`).toBeDefined();
      expect(operation['x-velos-scope']).toBe(route.scope);
      if (route.scope === 'none') expect(operation.security).toEqual([{}, { bearer: [] }]);
    }
  });

  it('takes request schemas from the core schemas', () => {
    const scale = document.paths['/api/v1/processes/{target}/scale'].post;
    const instances = scale.requestBody.content['application/json'].schema.properties.instances;
    expect(JSON.stringify(instances)).toContain('^[+-]?\\\\d{1,4}$');
    const logs = document.paths['/api/v1/logs/{target}'].get.parameters;
    expect(logs.find((p: { name: string }) => p.name === 'lines').schema).toMatchObject({
      type: 'integer',
      maximum: 1_000_000,
    });
    const start = document.paths['/api/v1/processes'].post.requestBody.content['application/json'].schema;
    const [entry, spec] = start.oneOf[0].properties.apps.items.anyOf;
    expect(entry.required).toEqual(['script']);
    expect(spec.required).toEqual(expect.arrayContaining(['script', 'cwd', 'args']));
  });

  it('lists the 409 of the routes that answer one and the 415 of the routes that take a body', async () => {
    const responsesOf = (method: string, path: string) => Object.keys(document.paths[path][method].responses);
    expect(responsesOf('post', '/api/v1/processes')).toEqual(expect.arrayContaining(['409', '413', '415']));
    expect(responsesOf('post', '/api/v1/alerts')).toContain('409');
    expect(responsesOf('post', '/api/v1/config/reload')).toContain('409');
    expect(responsesOf('post', '/api/v1/processes/{target}/stop')).not.toContain('409');
    expect(responsesOf('get', '/api/v1/processes')).not.toContain('415');
    for (const route of API_ROUTES) {
      for (const code of route.conflicts ?? []) expect(statusOfCode(code), code).toBe(409);
    }
    // what the document says is what the route answers
    const answer = await fetch(`${api.url}/api/v1/processes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${api.admin}`, 'content-type': 'text/plain' },
      body: 'apps',
    });
    expect(answer.status).toBe(415);
  });

  it('needs a token', async () => {
    expect((await call(api.url, 'GET', '/api/v1/openapi.json')).status).toBe(401);
  });
});
