// OBS-7: the parts of the metrics history loaded on the first sample (or a history file to read), never
// at daemon start; also the package's `@velos/supervisor/metrics-history` subpath (the bench fills it).
export { readHistoryFile, writeHistoryFile } from './history-file.js';
export { type HistoryPoints, MAX_HISTORY_ANSWER_POINTS } from './history-query.js';
export { HISTORY_COARSE_MS, HISTORY_FINE_SPAN_MS, HISTORY_SPAN_MS } from './history-series.js';
export { HistoryStore, type ProcessSample } from './history-store.js';
