import { Connection } from './connection.js';
import { connectDaemon, type DaemonLauncher } from './daemon-launcher.js';
import { openHandleSocket } from './handle-socket.js';
import { socketPath } from './paths.js';

/**
 * `connectDaemon` for the CLI's quick paths (issue 17): the connection runs over Node's pipe handle
 * (handle-socket.ts) when it can, else over `net` as the client's always does, which also starts the
 * daemon when none answers and reports any other failure.
 */
export async function connectQuick(
  home: string,
  launcher: DaemonLauncher,
): Promise<{ connection: Connection; started: boolean }> {
  const path = socketPath(home);
  const socket = await openHandleSocket(path);
  if (socket !== null) return { connection: Connection.over(socket, path), started: false };
  return connectDaemon(home, launcher);
}
