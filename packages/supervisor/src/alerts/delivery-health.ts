import type { AlertDelivery } from '@velos/core';

/** OBS-4 status of one component, as the daemon's health registry takes it. */
export interface ComponentHealth {
  status: 'healthy' | 'degraded' | 'unhealthy';
  reason?: string;
}

/**
 * Follows the outcome of deliveries per channel for the daemon's self-health. A channel is known by its
 * full identity (`channelKey`: never shown); reasons name it by its short label (`delivery.channel`).
 */
export interface DeliveryHealth {
  /** Counts one outcome of the channel `key`; ignored when no rule uses that channel any more. */
  record(key: string, delivery: AlertDelivery): void;
  /**
   * Healthy when every channel's last delivery worked, else degraded (the reason names the channel with
   * the most failures in a row). Never unhealthy: a receiver that is down (Slack's outage, a mistyped
   * URL) is no sick daemon, and `velos health` exit 2 or `/api/v1/health` 503 would have a container
   * check restart every app, or a load balancer drop the host.
   */
  status(): ComponentHealth;
  /** The channels the rules use now (by key): the failures of every other channel are forgotten. */
  retain(keys: Set<string>): void;
}

interface Failures {
  label: string;
  count: number;
  error: string;
}

/** Creates the tracker. */
export function createDeliveryHealth(): DeliveryHealth {
  const failures = new Map<string, Failures>();
  let inUse = new Set<string>();
  return {
    record(key, delivery) {
      if (delivery.isOk) failures.delete(key);
      // a delivery that ends after its rule was removed would otherwise count for nobody's channel
      else if (inUse.has(key)) {
        const count = (failures.get(key)?.count ?? 0) + 1;
        failures.set(key, { label: delivery.channel, count, error: delivery.error ?? 'failed' });
      }
    },
    status() {
      let worst: Failures | undefined;
      for (const entry of failures.values()) if (!worst || entry.count > worst.count) worst = entry;
      if (!worst) return { status: 'healthy' };
      const { label, count, error } = worst;
      const reason = `${label}: ${count} failed deliver${count === 1 ? 'y' : 'ies'} in a row (${error})`;
      return { status: 'degraded', reason };
    },
    retain(keys) {
      inUse = new Set(keys);
      for (const key of failures.keys()) if (!inUse.has(key)) failures.delete(key);
    },
  };
}
