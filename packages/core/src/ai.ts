// `@velos/core/ai`: the compact `--ai` forms (CLI-3), shared by the CLI and the MCP tools; kept off the
// root so the daemon never loads them.
export { type AiAlert, alertDeliveryText, toAiAlerts } from './ai-alerts.js';
export { type AiComponent, formatAgo, toAiComponents } from './ai-components.js';
export { commandLine, toAiDetail } from './ai-detail.js';
export { AI_HISTORY_POINTS, type AiHistory, toAiHistory } from './ai-history.js';
export { toAiAnomaly, toAiLogSummary, toAiLogView, toAiPattern } from './ai-log-summary.js';
export { type AiMetrics, type AiProcessMetrics, toAiMetrics } from './ai-metrics.js';
export {
  AI_MESSAGE_CHARS_MAX,
  type AiEnv,
  type AiEvent,
  type AiLogLine,
  type AiProcess,
  type AiRun,
  cutAiMessage,
  hasRunningProcess,
  hasWatchMode,
  isSampled,
  linesNameApp,
  type NamedRun,
  roundCpu,
  shortStatus,
  toAiEnv,
  toAiEvent,
  toAiLogLine,
  toAiProcess,
  toAiRuns,
} from './ai-output.js';
