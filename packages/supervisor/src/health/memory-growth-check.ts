import {
  type ComponentHealth,
  describeMemoryGrowth,
  MEMORY_GROWTH_MIN_MB_PER_MIN,
  MEMORY_GROWTH_WINDOW_MS,
} from '@velos/core';
import type { GrowingProcess } from '../metrics/history-control.js';

/** The self-health component that warns of apps whose memory grows without `max_memory` to stop it. */
export const MEMORY_GROWTH_COMPONENT = 'memory';

/**
 * The `memory` component: degraded (a warning: `velos health` still exits 0) while a running process
 * without `max_memory` grows steadily (`findMemoryGrowth`), naming each; healthy otherwise.
 */
export function checkMemoryGrowth(growing: readonly GrowingProcess[]): ComponentHealth {
  if (growing.length === 0) {
    const rule = `${MEMORY_GROWTH_MIN_MB_PER_MIN} MB/min for ${MEMORY_GROWTH_WINDOW_MS / 60_000} min`;
    return {
      name: MEMORY_GROWTH_COMPONENT,
      status: 'healthy',
      reason: `no app without max_memory grows ${rule}`,
    };
  }
  const apps = growing.map((p) => `${p.name} (id ${p.id}): ${describeMemoryGrowth(p.growth)}`);
  return {
    name: MEMORY_GROWTH_COMPONENT,
    status: 'degraded',
    reason: `${apps.join('; ')}; set max_memory or look for a leak`,
    value: growing.length,
  };
}
