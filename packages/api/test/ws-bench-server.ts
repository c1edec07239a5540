// The WebSocket server of bench/api-ws-flood.mjs as its own process:
// `node <bundle> <home> <token> [maxBufferedBytes]`.
// Prints `{"port":N}` once listening; answers each `cpu` line on stdin with process.cpuUsage() as JSON.
import { createInterface } from 'node:readline';
import { createClient } from '@velos/client';
import fastify from 'fastify';
import { registerWebSocket } from '../src/ws/register.js';

const [home, token, maxBufferedBytes] = process.argv.slice(2);
if (!home || !token) throw new Error('usage: ws-bench-server <home> <token>');
const control = createClient({ home });
const app = fastify();
await registerWebSocket(app, {
  control,
  authenticate: (given) => (given === token ? 'read' : null),
  ws: maxBufferedBytes ? { maxBufferedBytes: Number(maxBufferedBytes) } : {},
  log: (line) => process.stderr.write(`${line}\n`),
});
await app.listen({ host: '127.0.0.1', port: 0 });
const address = app.server.address();
process.stdout.write(
  `${JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 })}\n`,
);
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line === 'cpu') process.stdout.write(`${JSON.stringify(process.cpuUsage())}\n`);
});
process.stdin.once('end', () => {
  void app.close().then(() => control.close());
});
