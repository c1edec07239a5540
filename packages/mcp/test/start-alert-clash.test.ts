import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { type AlertRule, type AlertStatus, alertNameClash, type VelosControl } from '@velos/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createVelosMcpServer } from '../src/server.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const runtimeRule: AlertStatus = {
  rule: {
    name: 'esc',
    when: { kind: 'errored' },
    severity: 'warning',
    forMs: 0,
    resolveAfterMs: 60_000,
    channels: [],
    source: 'runtime',
  },
  phase: 'ok',
  since: null,
  instances: [],
  lastDelivery: null,
};

describe('process_start of a config file with [[alerts]]', () => {
  it('refuses a rule name another source has before any app starts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'velos-mcp-clash-'));
    dirs.push(dir);
    writeFileSync(
      join(dir, 'clash.toml'),
      `[[apps]]\nname = "tick"\nscript = "${join(dir, 'tick.js')}"\n\n[[alerts]]\nname = "esc"\nwhen = "errored"\n`,
    );
    writeFileSync(join(dir, 'tick.js'), 'setInterval(() => {}, 1000);\n');
    const calls: string[] = [];
    const control = {
      alerts: async () => [runtimeRule],
      start: async () => {
        calls.push('start');
        return [];
      },
      // the daemon refuses a rule named like another source's, changing nothing
      setAlerts: async (source: string, rules: AlertRule[]) => {
        const clash = alertNameClash(source, rules, [runtimeRule.rule]);
        if (clash) throw clash;
        calls.push('setAlerts');
        return [];
      },
    } as unknown as VelosControl;
    const server = createVelosMcpServer({ control, cwd: dir });
    const client = new Client({ name: 't', version: '1' });
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await server.connect(serverSide);
    await client.connect(clientSide);
    try {
      const result = (await client.callTool({
        name: 'process_start',
        arguments: { config: 'clash.toml' },
      })) as { content: { text: string }[]; isError?: boolean };
      expect(result.isError).toBe(true);
      expect(result.content[0]!.text).toBe(
        `NAME_IN_USE: ${join(dir, 'clash.toml')}: alert rule 'esc' exists already (from runtime); rename one of them`,
      );
      expect(calls).toEqual([]);
    } finally {
      await client.close();
      await server.close();
    }
  });
});
