// Memory of the API's /mcp endpoint (issue 15): an in-process API server (no daemon: a stub control
// that lists nothing) answers rounds of 4 000 requests of one kind, 4 at a time; after each round the
// heap is collected and its size printed. A leak grows the heap round after round; RSS only shows the
// allocator. Kinds: ok (tools/call process_list), list (tools/list), bad (broken JSON), rpc (unknown
// method), notif (a notification), ctype (text/plain).
// Usage: pnpm run build && node --expose-gc bench/mcp-http-memory.mjs [kind…] [--rounds N]
import { createApiServer } from '../packages/api/dist/index.js';

if (typeof global.gc !== 'function') {
  console.error('run with node --expose-gc');
  process.exit(1);
}
const args = process.argv.slice(2);
const roundsAt = args.indexOf('--rounds');
const rounds = roundsAt === -1 ? 6 : Number(args.splice(roundsAt, 2)[1]);
const admin = 'a'.repeat(43);
const message = (m) => ({ body: JSON.stringify({ jsonrpc: '2.0', ...m }), type: 'application/json' });
const KINDS = {
  ok: () => message({ id: 1, method: 'tools/call', params: { name: 'process_list', arguments: {} } }),
  list: () => message({ id: 1, method: 'tools/list' }),
  bad: () => ({ body: '{"jsonrpc":', type: 'application/json' }),
  rpc: () => message({ id: 1, method: 'nope' }),
  notif: () => message({ method: 'notifications/initialized' }),
  ctype: () => ({ body: '{}', type: 'text/plain' }),
};
const kinds = args.length ? args : Object.keys(KINDS);
const control = { list: async () => [], ping: async () => ({ pid: process.pid }) };
const server = await createApiServer({
  control,
  port: 0,
  auth: { tokens: { admin, read: 'b'.repeat(43) } },
  log: () => undefined,
  dashboard: false,
  rateLimitPerMinute: 1e9,
});

async function send(kind) {
  const { body, type } = KINDS[kind]();
  const response = await fetch(`${server.url}/mcp`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${admin}`,
      accept: 'application/json, text/event-stream',
      'content-type': type,
    },
    body,
  });
  await response.text();
}

for (const kind of kinds) {
  const heap = [];
  const rss = [];
  for (let round = 0; round < rounds; round += 1) {
    for (let i = 0; i < 1000; i += 1) await Promise.all([send(kind), send(kind), send(kind), send(kind)]);
    global.gc();
    await new Promise((resolve) => setTimeout(resolve, 100));
    global.gc();
    heap.push(process.memoryUsage().heapUsed / 1e6);
    rss.push(process.memoryUsage().rss / 1e6);
  }
  console.log(
    `${kind.padEnd(6)} heap after GC per round of 4000 (MB): ${heap.map((v) => v.toFixed(1)).join(', ')}; RSS ${rss.map((v) => v.toFixed(0)).join(', ')}`,
  );
}
await server.close();
