import type { AlertDelivery } from '@velos/core';

/** OBS-4 status of one component, as the daemon's health registry takes it. */
export interface ComponentHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  reason?: string;
}

/** Failed deliveries in a row, on one channel, that make alert delivery unhealthy. */
export const UNHEALTHY_AFTER_FAILURES = 3;

/** Follows the outcome of deliveries per channel for the daemon's self-health. */
export interface DeliveryHealth {
  record(delivery: AlertDelivery): void;
  /** Healthy when every channel's last delivery worked; degraded after a failure; unhealthy after 3 in a row. */
  status(): ComponentHealth;
  /** Forgets channels no rule uses any more. */
  retain(labels: Set<string>): void;
}

/** Creates the tracker. */
export function createDeliveryHealth(): DeliveryHealth {
  const failures = new Map<string, { count: number; error: string }>();
  return {
    record(delivery) {
      if (delivery.isOk) failures.delete(delivery.channel);
      else {
        const count = (failures.get(delivery.channel)?.count ?? 0) + 1;
        failures.set(delivery.channel, { count, error: delivery.error ?? 'failed' });
      }
    },
    status() {
      let worst: [string, { count: number; error: string }] | undefined;
      for (const entry of failures) if (!worst || entry[1].count > worst[1].count) worst = entry;
      if (!worst) return { status: 'healthy' };
      const [channel, { count, error }] = worst;
      const reason = `${channel}: ${count} failed deliver${count === 1 ? 'y' : 'ies'} in a row (${error})`;
      return { status: count >= UNHEALTHY_AFTER_FAILURES ? 'unhealthy' : 'degraded', reason };
    },
    retain(labels) {
      for (const channel of failures.keys()) if (!labels.has(channel)) failures.delete(channel);
    },
  };
}
