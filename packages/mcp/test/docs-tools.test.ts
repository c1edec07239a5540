import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TOOL_LIST } from '../src/tool-list.js';

const DOC = readFileSync(new URL('../../../docs/mcp.md', import.meta.url), 'utf8');

/** The rows of the tools table of docs/mcp.md: tool name → its arguments cell. */
function toolRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of DOC.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    const name = /^`([a-z_]+)`$/.exec(cells[1] ?? '')?.[1];
    if (name !== undefined && cells.length >= 6) rows.set(name, cells[3] ?? '');
  }
  return rows;
}

describe('docs/mcp.md', () => {
  it('has a row for every tool, with each of its arguments, and none for a tool the server lacks', () => {
    const rows = toolRows();
    const names = TOOL_LIST.map((tool) => tool.name as string);
    expect([...rows.keys()].sort()).toEqual([...names].sort());
    const missing = TOOL_LIST.flatMap((tool) => {
      const schema = tool.inputSchema as { properties?: Record<string, unknown> };
      return Object.keys(schema.properties ?? {})
        .filter((argument) => !rows.get(tool.name as string)?.includes(`\`${argument}\``))
        .map((argument) => `${tool.name as string}: ${argument}`);
    });
    expect(missing).toEqual([]);
  });
});
