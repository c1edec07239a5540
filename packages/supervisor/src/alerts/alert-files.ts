/** The run-time and config-file rules of a home, kept across daemon restarts (alert-store.ts). */
export const ALERTS_FILE = 'alerts.json';

/** The alerts firing when the daemon last changed them, for the next daemon (alert-state-store.ts). */
export const ALERT_STATE_FILE = 'alert-state.json';
