/**
 * What the CLI's quick paths (`velos list`, `velos start <script>`) use of the client: one connection,
 * opened (and the daemon started when none runs) as `createClient` does, without the command table.
 */
export type { Connection } from './connection.js';
export { connectDaemon, type DaemonLauncher } from './daemon-launcher.js';
export { nodeBinding } from './node-binding.js';
export { connectQuick } from './quick-connect.js';
