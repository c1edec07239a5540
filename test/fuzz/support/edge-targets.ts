/**
 * Targets that select every app, one app or none: what random generators draw too rarely to find a bug
 * of an empty selection (`GET /logs/all/patterns` with no app answered 500 INTERNAL "reading 'logRules'",
 * found once in CI). The HTTP and MCP suites send each read-only route or tool with each of them on
 * every run, while the fuzz app `fz` runs and again once no app is left.
 */
export const EDGE_TARGETS = [
  'all',
  'fz',
  '0',
  // a namespace (`default` holds fz), a name no app or namespace has, a /regex/ that matches no name
  'default',
  'no-such-app',
  '/^no-such-app$/',
] as const;

/** Where the HTTP path of a route keeps its parameters (`/logs/:target/patterns`). */
const PARAM = /:[A-Za-z]+/g;

/** The path of `path` with every parameter set to `target`. */
export function withTarget(path: string, target: string): string {
  return path.replace(PARAM, encodeURIComponent(target));
}

/** Whether a route path takes a parameter. */
export function hasParam(path: string): boolean {
  return path.includes(':');
}

/** A tool error or API error the caller's input cannot explain: an `INTERNAL` code (a bug, not bad input). */
export function isInternal(text: string): boolean {
  return /^INTERNAL\b/.test(text) || /"code":\s*"INTERNAL"/.test(text);
}

/** A tool as `tools/list` names it: what the edge calls need of it. */
export interface ListedTool {
  name: string;
  inputSchema: { properties?: Record<string, unknown> };
  annotations?: { readOnlyHint?: boolean };
}

/**
 * The `tools/call` params of every read-only tool with every edge target (`EDGE_TARGETS`), or with no
 * arguments when it takes no target: the same calls on every run, whatever the seed.
 */
export function edgeToolCalls(
  tools: readonly ListedTool[],
): { name: string; arguments: { target?: string } }[] {
  const out: { name: string; arguments: { target?: string } }[] = [];
  for (const tool of tools) {
    if (tool.annotations?.readOnlyHint !== true) continue;
    const takesTarget = Object.hasOwn(tool.inputSchema.properties ?? {}, 'target');
    const targets: (string | undefined)[] = takesTarget ? [...EDGE_TARGETS, undefined] : [undefined];
    for (const target of targets)
      out.push({ name: tool.name, arguments: target === undefined ? {} : { target } });
  }
  return out;
}
