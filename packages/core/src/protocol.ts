import type { ErrorPayload } from './errors.js';
import type { LogLine, ProcessInfo } from './process-info.js';

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

/** A process target: a name, a numeric id, or `all`. */
export interface TargetRequest {
  target: string;
}

/**
 * The targets of `stop` and `delete`: one, or several acted on as one selection (each process once,
 * `depends_on` dependents before their dependencies, as `stop all` does).
 */
export interface TargetsRequest {
  target: string | string[];
}

/** Parameters of `logs` and `logs.follow`. */
export interface LogsRequest {
  /** Name, id or `all`; absent means all. */
  target?: string;
  /** How many of the most recent lines (per target) to return first. */
  lines?: number;
  stream?: LogStreamFilter;
  /** Lines that are not valid UTF-8 also carry their bytes (`LogLine.bytes`), for a client that prints them as they are. */
  withBytes?: boolean;
  /**
   * Each line carries its level (`LogLine.lvl`) as a search by level judges it (ENG-1: the app's
   * `log_rules`, a stack frame taking its event's level; in a tail, the stderr lines just before a
   * crash raised to error), worked out when the lines are read, not when they are captured.
   */
  withLevels?: boolean;
}

/** Answer of `logs`: the lines, oldest first, and `cut` when the answer's byte limit left older lines out. */
export interface LogsResult {
  lines: LogLine[];
  cut?: LogsCut;
  /**
   * The target is some of the instances of an app whose instances share their log files, and the
   * daemon's rings held fewer of their lines than were asked for while these files may hold older ones
   * (a ring dropped some, or the files held lines before the daemon opened them), which cannot be told
   * from the other instances' (`velos logs <app>` shows every instance's).
   */
  unattributed?: string[];
  /**
   * The target's current log files (of the streams asked) that did not exist when read: removed while
   * the app ran (a cleanup, a broken logrotate; capture makes them again at the app's next line). The
   * lines of such a file in the answer are those the daemon held in memory: `missingHeldLines` counts
   * them, for each file.
   */
  missingFiles?: string[];
  /** For each of `missingFiles`, the lines of the answer that the daemon held of it in memory. */
  missingHeldLines?: number[];
}

/** Why and where a `logs` answer was cut: lines asked for that did not fit in its bytes. */
export interface LogsCut {
  /** The most bytes of lines one answer holds (text, name and fields as UTF-8, plus a fixed part per line). */
  maxBytes: number;
  /** Older lines asked for and left out, at most (the files may hold fewer than were asked for). */
  omittedLines: number;
  /**
   * The log files the lines left out are in: for each stream, the file its newest line left out is
   * in (the current file, or a rotated one, maybe gzipped); rotated files beside them hold older ones.
   */
  files: string[];
  /**
   * For each of `files`, the bytes before the end of its newest line left out (of the decompressed
   * text for a `.gz` file): `head -c` that many bytes ends with it; -1 when not known.
   */
  endOffsets?: number[];
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

/**
 * Answer of `resurrect`: the processes, problems met reading the saved state, and the saved apps left
 * alone because an app of their name is listed already (`skipped`, by name).
 */
export interface ResurrectResult {
  processes: ProcessInfo[];
  warnings?: string[];
  skipped?: string[];
}

/** A saved app that could not be restored, which a `delete` dropped from the saved state. */
export interface ForgottenApp {
  name: string;
  ids: number[];
}

/** Answer of `delete`: the processes deleted, and the saved apps never restored it dropped (`forgotten`). */
export interface DeleteResult {
  processes: ProcessInfo[];
  forgotten?: ForgottenApp[];
}

/** An error as a response payload. */
export type ErrorResponsePayload = ErrorPayload;
