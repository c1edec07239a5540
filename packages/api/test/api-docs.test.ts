import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, NOT_EXPOSED } from '../src/rest/routes.js';
import { METRICS_INTERVAL_MS, TOPICS } from '../src/ws/client-messages.js';
import { CloseCodes, WEBSOCKET_DEFAULTS } from '../src/ws/ws-options.js';

const DOC = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
const WS_DOC = readFileSync(new URL('../../../docs/api-websocket.md', import.meta.url), 'utf8');

describe('docs/api.md', () => {
  it('lists every route of the table with its scope and command', () => {
    for (const route of API_ROUTES) {
      const path = route.path.replace(/:([A-Za-z]+)/g, '{$1}');
      const row = DOC.split('\n').find((line) => line.startsWith(`| \`${route.method} ${path}\``));
      expect(row, `${route.method} ${path}`).toBeDefined();
      expect(row).toContain(`| ${route.scope} |`);
      const commands = route.kind === 'command' ? [route.command] : route.commands;
      for (const name of commands) expect(row, `${route.method} ${path}`).toContain(`\`${name}\``);
    }
  });

  it('lists no route the server does not have', () => {
    const served = new Set(
      API_ROUTES.map((route) => `${route.method} ${route.path.replace(/:([A-Za-z]+)/g, '{$1}')}`),
    );
    served.add('GET /openapi.json');
    const documented = [...DOC.matchAll(/^\| `([A-Z]+ \/[^`]*)`/gm)].map(([, route]) => route!);
    expect(documented.length).toBeGreaterThan(30);
    expect(documented.filter((route) => !served.has(route))).toEqual([]);
  });

  it('says why each command without a route has none', () => {
    for (const name of Object.keys(NOT_EXPOSED)) expect(DOC).toContain(`\`${name}\``);
  });
});

describe('docs/api-websocket.md', () => {
  it('documents every topic, close code and limit with its default', () => {
    for (const topic of TOPICS) expect(WS_DOC).toContain(`{"type":"subscribe","topic":"${topic}"`);
    for (const code of Object.values(CloseCodes)) expect(WS_DOC).toContain(`| ${code} |`);
    const grouped = (value: number) => value.toLocaleString('en').replaceAll(',', ' ');
    // the page writes 5000, 30 000, 16 KiB or 4 MiB
    const spellings = (value: number) => [
      String(value),
      grouped(value),
      `${value / 1024} KiB`,
      `${value / 1024 ** 2} MiB`,
    ];
    for (const [option, value] of Object.entries(WEBSOCKET_DEFAULTS)) {
      const documented = WS_DOC.split('\n').some((line) => {
        const after = line.split(`\`${option}\``)[1];
        return after !== undefined && spellings(value).some((spelling) => after.includes(spelling));
      });
      expect(documented, `${option} ${value}`).toBe(true);
    }
    expect(WS_DOC).toContain(
      `default ${METRICS_INTERVAL_MS.default}, at least ${METRICS_INTERVAL_MS.min}, at most ${grouped(METRICS_INTERVAL_MS.max)}`,
    );
  });
});
