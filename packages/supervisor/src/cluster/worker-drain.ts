import cluster from 'node:cluster';
import http from 'node:http';
import https from 'node:https';

const DRAINING = Symbol('velos.draining');

/**
 * Runs in every cluster worker (preloaded with `--import`): when the primary disconnects the worker
 * (SUP-6 reload), its HTTP servers stop accepting as usual, but keep-alive connections are not cut
 * while idle (a client may be sending on one at that moment): every later response says
 * `Connection: close`, and idle connections end with the server's keep-alive timeout.
 */
export function installWorkerDrain(): void {
  for (const Server of new Set([http.Server, https.Server])) {
    const closeIdle = Server.prototype.closeIdleConnections;
    Server.prototype.closeIdleConnections = function (this: http.Server): void {
      if (cluster.worker?.exitedAfterDisconnect) drain(this);
      else closeIdle.call(this);
    };
  }
}

function drain(server: http.Server & { [DRAINING]?: boolean }): void {
  if (server[DRAINING]) return;
  server[DRAINING] = true;
  server.prependListener('request', (_request, response) => {
    if (!response.headersSent) response.setHeader('connection', 'close');
  });
}
