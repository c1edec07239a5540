import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { LATEST_PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from '@modelcontextprotocol/sdk/types.js';
import type { VelosControl } from '@velos/core';
import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSIONS,
  SERVER_CAPABILITIES,
  SERVER_INFO,
  SERVER_INSTRUCTIONS,
} from '../src/initialize-answer.js';
import { createVelosMcpServer } from '../src/server.js';
import { CONFIG_TOOL_LIST } from '../src/tool-list/config-tools.js';
import { LOG_TOOL_LIST } from '../src/tool-list/log-tools.js';
import { OBSERVE_TOOL_LIST } from '../src/tool-list/observe-tools.js';
import { PROCESS_TOOL_LIST } from '../src/tool-list/process-tools.js';
import { TOOL_LIST } from '../src/tool-list.js';
import { CONFIG_TOOLS } from '../src/tools/config-tools.js';
import { LOG_TOOLS } from '../src/tools/log-tools.js';
import { OBSERVE_TOOLS } from '../src/tools/observe-tools.js';
import { PROCESS_TOOLS } from '../src/tools/process-tools.js';

/** Raw answers of the live server to `initialize` and `tools/list`. */
async function liveAnswers(): Promise<{ init: Record<string, unknown>; tools: unknown[] }> {
  const server = createVelosMcpServer({ control: {} as VelosControl });
  const [ours, theirs] = InMemoryTransport.createLinkedPair();
  const answers = new Map<unknown, Record<string, unknown>>();
  ours.onmessage = (message) => {
    const { id, result } = message as { id: unknown; result: Record<string, unknown> };
    answers.set(id, result);
  };
  await server.connect(theirs);
  await ours.start();
  const params = {
    protocolVersion: LATEST_PROTOCOL_VERSION,
    capabilities: {},
    clientInfo: { name: 't', version: '1' },
  };
  await ours.send({ jsonrpc: '2.0', id: 1, method: 'initialize', params });
  await ours.send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
  for (let i = 0; answers.size < 2 && i < 200; i += 1) await new Promise((r) => setTimeout(r, 5));
  await server.close();
  return { init: answers.get(1)!, tools: answers.get(2)!.tools as unknown[] };
}

describe('tool-list.ts (what velos mcp answers before the SDK loads)', () => {
  it('is what the server answers: regenerate with `pnpm --filter @velos/mcp generate` after a build', async () => {
    const live = await liveAnswers();
    expect(TOOL_LIST).toEqual(live.tools);
    expect(SERVER_CAPABILITIES).toEqual(live.init.capabilities);
    expect(SERVER_INFO).toEqual(live.init.serverInfo);
    expect(SERVER_INSTRUCTIONS).toEqual(live.init.instructions);
    expect(PROTOCOL_VERSIONS).toEqual({
      latest: LATEST_PROTOCOL_VERSION,
      supported: SUPPORTED_PROTOCOL_VERSIONS,
    });
  });

  it('says in each input schema that an argument the tool does not take is refused', async () => {
    for (const tool of (await liveAnswers()).tools as { name: string; inputSchema: object }[])
      expect(tool.inputSchema, tool.name).toMatchObject({ additionalProperties: false });
  });

  it("says each thing once: a tool's answer does not repeat its command's description", async () => {
    // job_trigger said twice that a job whose run is going is left alone
    for (const tool of (await liveAnswers()).tools as { name: string; description: string }[])
      expect(tool.description.match(/left alone/g)?.length ?? 0, tool.name).toBeLessThanOrEqual(1);
  });

  it('holds the tools of each file of src/tools/ in the file of the same name under src/tool-list/', () => {
    const names = (tools: readonly { name?: unknown }[]) => tools.map((tool) => tool.name);
    expect(names(PROCESS_TOOL_LIST)).toEqual(names(PROCESS_TOOLS));
    expect(names(LOG_TOOL_LIST)).toEqual(names(LOG_TOOLS));
    expect(names(OBSERVE_TOOL_LIST)).toEqual(names(OBSERVE_TOOLS));
    expect(names(CONFIG_TOOL_LIST)).toEqual(names(CONFIG_TOOLS));
  });
});
