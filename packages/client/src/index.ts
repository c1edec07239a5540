export { type ClientOptions, createClient, type RequestTimeout, type VelosClient } from './client.js';
export { type DaemonLauncher, type EnsureDaemonResult, ensureDaemon } from './daemon-launcher.js';
export { daemonLogPath, socketPath } from './paths.js';
export { STREAM_HIGH_WATER_ITEMS, STREAM_MAX_QUEUED_ITEMS } from './stream-subscription.js';
