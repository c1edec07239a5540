import type { ComponentStatus } from './daemon-health.js';

/**
 * OBS-2: what an outside component (a plugin, a cron job, a sidecar) reports through
 * `components.report`: its status now, and the longest it may stay silent before it is stale.
 */
export interface ComponentReportRequest {
  /** Letters, digits and `_ . : -`, 1–64 characters (`COMPONENT_NAME`). */
  name: string;
  /** The longest time until its next report, in ms (`COMPONENT_LIMITS`: 1 s to 24 h). */
  intervalMs: number;
  status: ComponentStatus;
  /** One line on what it saw (at most 500 characters). */
  message?: string;
  /** The app it belongs to (a name that is listed): its events carry that app, so app alert rules match. */
  app?: string;
}

/** A reported component as the daemon keeps it (answer of `components` and `components.report`). */
export interface ReportedComponent {
  name: string;
  status: ComponentStatus;
  message?: string;
  app?: string;
  intervalMs: number;
  /** Epoch ms of its last report; for a component kept over a daemon restart, its last report before. */
  lastReportAt: number;
  /** No report came within `intervalMs` (plus the daemon's grace). */
  isStale: boolean;
  /** Epoch ms since which it holds its status and staleness. */
  since: number;
  /** Reports received since it was first reported (to this daemon). */
  reports: number;
}

/** Bounds of `components.report`. */
export const COMPONENT_LIMITS = {
  /** Components a daemon keeps; one more is refused (BUSY) until one is removed. */
  maxComponents: 256,
  minIntervalMs: 1000,
  maxIntervalMs: 24 * 3_600_000,
  maxMessageChars: 500,
} as const;

/** Rule of component names (`backup`, `billing.sync`, `cron:nightly`). */
export const COMPONENT_NAME = /^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/;
