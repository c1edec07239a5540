import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { createVelosMcpServer, type VelosMcpServerOptions } from './server.js';

/**
 * Serves the Velos tools over stdin/stdout (what Claude Desktop, Claude Code and Cursor start);
 * resolves once connected, and calls `onClose` when the client closes the stream.
 */
export async function serveStdio(options: VelosMcpServerOptions & { onClose?: () => void }): Promise<void> {
  const server = createVelosMcpServer(options);
  const transport = new StdioServerTransport();
  let isClosed = false;
  const closed = () => {
    if (isClosed) return;
    isClosed = true;
    options.onClose?.();
  };
  transport.onclose = closed;
  await server.connect(transport);
  process.stdin.once('end', () => {
    void server.close().finally(closed);
  });
}
