import type { AppSpec } from './app-spec.js';
import type { ErrorPayload } from './errors.js';
import type { JobRun, LogLine, ProcessDetail, ProcessInfo } from './process-info.js';

/** A request frame's payload. `id` is chosen by the client and echoed in every response. */
export interface RequestMessage {
  id: number;
  cmd: string;
  payload?: unknown;
}

/** A response frame's payload; a stream sends `stream` items then one `end` (or an `error`). */
export interface ResponseMessage {
  id: number;
  status: 'ok' | 'error' | 'stream' | 'end';
  payload?: unknown;
}

/** The client asks the daemon to stop a stream it opened with request `id`. */
export const CANCEL_COMMAND = 'cancel';

/** Which captured stream(s) a log request is about. */
export type LogStreamFilter = 'out' | 'err' | 'all';

/** Request payloads and results of every command, by name. */
export interface CommandMap {
  ping: { req: Record<string, never>; res: PingResult };
  start: { req: { apps: AppSpec[] }; res: { processes: ProcessInfo[] } };
  stop: { req: TargetRequest; res: { processes: ProcessInfo[] } };
  restart: { req: TargetRequest & { env?: Record<string, string> }; res: { processes: ProcessInfo[] } };
  /** SUP-6: cluster instances replaced one at a time; fork mode restarts. */
  reload: { req: TargetRequest & { env?: Record<string, string> }; res: { processes: ProcessInfo[] } };
  /** SUP-5: `instances` is `N`, `+N` or `-N`. */
  scale: { req: { name: string; instances: string }; res: { processes: ProcessInfo[] } };
  /** SUP-8: the run history of jobs, newest first. */
  runs: { req: TargetRequest & { limit?: number }; res: { runs: (JobRun & { id: number; name: string })[] } };
  /** SUP-8: runs a job now (unless a run of it is already going). */
  trigger: { req: TargetRequest; res: { processes: ProcessInfo[] } };
  delete: { req: TargetRequest; res: { processes: ProcessInfo[] } };
  list: { req: Record<string, never>; res: { processes: ProcessInfo[] } };
  describe: { req: TargetRequest; res: { processes: ProcessDetail[] } };
  logs: { req: LogsRequest; res: LogsResult };
  flush: { req: { target?: string }; res: { flushed: string[] } };
  reloadLogs: { req: { target?: string }; res: { reopened: string[] } };
  save: { req: Record<string, never>; res: { path: string; count: number } };
  resurrect: { req: Record<string, never>; res: { processes: ProcessInfo[]; warnings?: string[] } };
  kill: { req: Record<string, never>; res: { stopped: number } };
}

/** Commands that answer with a stream of items instead of one result. */
export interface StreamCommandMap {
  'logs.follow': { req: LogsRequest; item: { lines: LogLine[] } };
}

/** Name of a request/response command. */
export type CommandName = keyof CommandMap;
/** Name of a streaming command. */
export type StreamCommandName = keyof StreamCommandMap;

/** Every command the daemon knows, for validation and help. */
export const COMMAND_NAMES: readonly (CommandName | StreamCommandName)[] = [
  'ping',
  'start',
  'stop',
  'restart',
  'reload',
  'scale',
  'runs',
  'trigger',
  'delete',
  'list',
  'describe',
  'logs',
  'logs.follow',
  'flush',
  'reloadLogs',
  'save',
  'resurrect',
  'kill',
];

/** A process target: a name, a numeric id, or `all`. */
export interface TargetRequest {
  target: string;
}

/** Parameters of `logs` and `logs.follow`. */
export interface LogsRequest {
  /** Name, id or `all`; absent means all. */
  target?: string;
  /** How many of the most recent lines (per target) to return first. */
  lines?: number;
  stream?: LogStreamFilter;
}

/** Answer of `logs`: the lines, oldest first, and `cut` when the answer's byte limit left older lines out. */
export interface LogsResult {
  lines: LogLine[];
  cut?: LogsCut;
}

/** Why and where a `logs` answer was cut: lines asked for that did not fit in its bytes. */
export interface LogsCut {
  /** The most bytes of lines one answer holds (text, name and fields as UTF-8, plus a fixed part per line). */
  maxBytes: number;
  /** Older lines asked for and left out, at most (the files may hold fewer than were asked for). */
  omittedLines: number;
  /** The log files the lines left out are in (rotated files beside them hold older ones). */
  files: string[];
}

/** Answer of `ping`. */
export interface PingResult {
  version: string;
  pid: number;
  uptimeMs: number;
  home: string;
  processes: number;
  /** Problems met while restoring state at start-up (e.g. state.json corrupt, `.bak` used). */
  warnings?: string[];
  /** True while the daemon still restores its saved state (other commands wait for it). */
  restoring?: boolean;
}

/** An error as a response payload. */
export type ErrorResponsePayload = ErrorPayload;
