export { instanceEnv } from '@velos/core';
export { DAEMON_LOG_FILE, type DaemonOptions, PID_FILE, runDaemon, SOCKET_FILE } from './daemon.js';
export type { DaemonExtension, DaemonExtensionHost, ExtensionChange } from './daemon-extensions.js';
export { orderByDependencies } from './dependencies/dependency-order.js';
export { createLiveEngines } from './log-insights/live-engines.js';
export { createDateFormat, type DateFormat } from './logs/date-format.js';
export {
  createLogPipeline,
  type LivePacing,
  type LogPipeline,
  type LogPipelineCounters,
  type LogPipelineOptions,
} from './logs/index.js';
export { HISTORY_FILE } from './metrics/history-control.js';
export { findHomeProcesses, type HomeProcess } from './orphans/orphan-scan.js';
export type { StatusEvent, StatusReason } from './process-status.js';
export { runsPython } from './python-output.js';
export {
  type CommandSpec,
  type ResolveCommandOptions,
  type ResolvedCommand,
  resolveCommand,
} from './resolve-command.js';
export {
  decideRestart,
  type ExitFacts,
  nextBackoffMs,
  type RestartDecision,
  type RestartPolicySpec,
} from './restart-policy.js';
export {
  createServiceNotifier,
  type ServiceNotifier,
  type ServiceNotifierOptions,
} from './service-notify.js';
export {
  parseState,
  readState,
  type SavedApp,
  type SavedState,
  STATE_BACKUP_FILE,
  STATE_FILE,
  type StateReadResult,
  writeState,
} from './state-store.js';
export { createSupervisor, type Supervisor, type SupervisorOptions } from './supervisor.js';
export { type StopTreeOptions, type StopTreeResult, stopTree } from './tree-stop.js';
export type { EventSource } from './typed-emitter.js';
export { validatedControl } from './validated-control.js';
