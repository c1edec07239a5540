/**
 * The `@velos/supervisor/file-log-queries` subpath: `logs.search` and `logs.analyze` over apps' files,
 * for a host that runs them without a daemon (`velos logs -` on stdin). A subpath of its own, not the
 * main entry: it loads the log engine, which the daemon loads only on its first query. `validatedControl`
 * is here too, for the host to check its requests as the daemon's socket does without loading the daemon.
 */
export { analyzeLogs } from './log-insights/log-analyze.js';
export { searchLogs } from './log-insights/log-search.js';
export type { LogQueryTarget } from './log-insights/log-target.js';
export { validatedControl } from './validated-control.js';
