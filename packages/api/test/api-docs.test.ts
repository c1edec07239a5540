import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, NOT_EXPOSED } from '../src/rest/routes.js';

const DOC = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');

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

  it('says why each command without a route has none', () => {
    for (const name of Object.keys(NOT_EXPOSED)) expect(DOC).toContain(`\`${name}\``);
  });
});
