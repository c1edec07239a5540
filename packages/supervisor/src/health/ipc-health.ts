import type { IpcStats } from '../ipc-server.js';
import { checkIpc } from './health-checks.js';
import { createRecentCount, type HealthCheck } from './health-control.js';

/** The `ipc` component of a daemon's self-health, over its server's stats. */
export function ipcHealthCheck(stats: () => IpcStats): HealthCheck {
  const refused = createRecentCount();
  return () => {
    const current = stats();
    return checkIpc(current, refused.update(current.refused));
  };
}
