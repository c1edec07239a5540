/** What the IPC server allows its clients; every field has a default in `DEFAULT_IPC_LIMITS`. */
export interface IpcLimits {
  /** Open connections; one more is answered with a `BUSY` error frame and closed. */
  maxConnections: number;
  /** Bytes of unfinished frames held across all connections; the connection that passes it gets `BUSY`. */
  maxPendingFrameBytes: number;
  /** A frame started but not completed within this time closes its connection with `TIMEOUT`. */
  frameTimeoutMs: number;
  /** A connection with no request, nothing in flight and no open stream for this long is closed. */
  idleTimeoutMs: number;
  /** Requests of one connection answered at once; further ones wait (its socket is not read meanwhile). */
  maxInflightPerConnection: number;
  /** Open streams (`logs.follow`) per connection; one more is answered with `BUSY`. */
  maxStreamsPerConnection: number;
  /** Unsent answer bytes of one connection above which its next requests wait for the socket to drain. */
  writeHighWaterBytes: number;
  /** Answer bytes written but not yet read by their clients, over all connections, above which no connection starts a request. */
  maxUnsentBytes: number;
  /** A connection whose answers wait unsent, none of them read by the client, for this long is closed. */
  stallTimeoutMs: number;
}

/** The limits the daemon applies unless `VELOS_IPC_*` variables say otherwise. */
export const DEFAULT_IPC_LIMITS: Readonly<IpcLimits> = {
  maxConnections: 256,
  maxPendingFrameBytes: 32 * 1024 * 1024,
  frameTimeoutMs: 10_000,
  idleTimeoutMs: 5 * 60_000,
  maxInflightPerConnection: 8,
  maxStreamsPerConnection: 32,
  writeHighWaterBytes: 4 * 1024 * 1024,
  maxUnsentBytes: 32 * 1024 * 1024,
  stallTimeoutMs: 60_000,
};

/** Environment variable of each limit, e.g. `VELOS_IPC_MAX_CONNECTIONS=512`. */
export const IPC_LIMIT_VARIABLES: Readonly<Record<keyof IpcLimits, string>> = {
  maxConnections: 'VELOS_IPC_MAX_CONNECTIONS',
  maxPendingFrameBytes: 'VELOS_IPC_MAX_PENDING_FRAME_BYTES',
  frameTimeoutMs: 'VELOS_IPC_FRAME_TIMEOUT_MS',
  idleTimeoutMs: 'VELOS_IPC_IDLE_TIMEOUT_MS',
  maxInflightPerConnection: 'VELOS_IPC_MAX_INFLIGHT',
  maxStreamsPerConnection: 'VELOS_IPC_MAX_STREAMS',
  writeHighWaterBytes: 'VELOS_IPC_WRITE_HIGH_WATER_BYTES',
  maxUnsentBytes: 'VELOS_IPC_MAX_UNSENT_BYTES',
  stallTimeoutMs: 'VELOS_IPC_STALL_TIMEOUT_MS',
};

/**
 * Reads the limits set by `VELOS_IPC_*` variables (positive integers); a missing or invalid
 * value keeps the default, and `warn` is told about an invalid one.
 */
export function ipcLimitsFromEnv(
  env: NodeJS.ProcessEnv,
  warn: (line: string) => void = () => undefined,
): Partial<IpcLimits> {
  const limits: Partial<IpcLimits> = {};
  for (const key of Object.keys(IPC_LIMIT_VARIABLES) as (keyof IpcLimits)[]) {
    const name = IPC_LIMIT_VARIABLES[key];
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (Number.isSafeInteger(value) && value > 0) limits[key] = value;
    else warn(`${name}=${raw} ignored: expected a positive integer; using ${DEFAULT_IPC_LIMITS[key]}`);
  }
  return limits;
}
