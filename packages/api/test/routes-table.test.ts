import { COMMAND_NAMES, findCommand } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { API_ROUTES, NOT_EXPOSED } from '../src/rest/routes.js';

function commandsOf(route: (typeof API_ROUTES)[number]): readonly string[] {
  return route.kind === 'command' ? [route.command] : route.commands;
}

describe('the REST routes table', () => {
  it('gives every protocol command a route, or a reason why it has none', () => {
    const routed = new Set(API_ROUTES.flatMap(commandsOf));
    for (const name of COMMAND_NAMES) {
      const reason = NOT_EXPOSED[name];
      expect(
        routed.has(name) || (reason !== undefined && reason.length > 10),
        `${name} has no route and no reason`,
      ).toBe(true);
      expect(routed.has(name) && reason !== undefined, `${name} is routed and listed as not exposed`).toBe(
        false,
      );
    }
    for (const name of Object.keys(NOT_EXPOSED)) expect(findCommand(name), name).toBeDefined();
  });

  it('routes only known request commands, each method and path once', () => {
    const keys = API_ROUTES.map((route) => `${route.method} ${route.path}`);
    expect(new Set(keys).size).toBe(keys.length);
    for (const route of API_ROUTES) {
      for (const name of commandsOf(route))
        expect(findCommand(name)?.kind, `${route.path}: ${name}`).toBe('request');
    }
  });

  it('needs an admin token for every route that changes state, and a read token for the rest', () => {
    for (const route of API_ROUTES) {
      const isReadOnly = commandsOf(route).every((name) => findCommand(name)!.isReadOnly);
      if (route.scope === 'none') expect(route.path).toBe('/health');
      else
        expect(route.scope, `${route.method} ${route.path}`).toBe(
          isReadOnly && route.method === 'GET' ? 'read' : 'admin',
        );
    }
  });
});
