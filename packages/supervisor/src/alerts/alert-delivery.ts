import { spawn } from 'node:child_process';
import { type AlertChannel, type AlertDelivery, ownHttpRequest } from '@velos/core';
import { type AlertNotification, type AlertPayload, payloadOf } from './alert-payload.js';

/** Bytes of a command's stderr kept for the delivery error. */
const STDERR_TAIL_BYTES = 500;
/** The longest wait between two webhook attempts, whatever the backoff doubled to. */
const MAX_BACKOFF_MS = 60_000;
/** The longest delay a Node timer keeps (about 24.8 days); a longer one fires at once. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Sends one notification through one channel; never throws, the outcome says what happened. */
export async function deliver(
  channel: AlertChannel,
  notification: AlertNotification,
): Promise<AlertDelivery> {
  return deliverPayload(channel, payloadOf(notification));
}

/** Sends a payload (one alert's, or a group's: `batchPayloadOf`) through one channel; never throws. */
export async function deliverPayload(channel: AlertChannel, payload: AlertPayload): Promise<AlertDelivery> {
  return channel.type === 'webhook' ? postWebhook(channel, payload) : runCommand(channel, payload);
}

/** A short name of a channel for listings and health reasons (`webhook https://host/…`, `command /bin/x`). */
export function channelLabel(channel: AlertChannel): string {
  if (channel.type === 'command') return `command ${channel.command[0]}`;
  try {
    const url = new URL(channel.url);
    return `webhook ${url.protocol}//${url.host}${url.pathname === '/' ? '' : '/…'}`;
  } catch {
    return 'webhook';
  }
}

/**
 * The full identity of a channel (the whole URL with its headers, or the whole argv): delivery health
 * is counted per identity, so two channels that share a label never mask each other. Kept in memory
 * only, never shown: it may hold a secret (a Slack webhook's path, a token in a header).
 */
export function channelKey(channel: AlertChannel): string {
  if (channel.type === 'command') return JSON.stringify(['command', ...channel.command]);
  const headers = Object.entries(channel.headers ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(['webhook', channel.url, headers]);
}

type Webhook = Extract<AlertChannel, { type: 'webhook' }>;
type Command = Extract<AlertChannel, { type: 'command' }>;

/**
 * POSTs the JSON payload (a redirect is a failure); retries network errors, timeouts, 429 and 5xx with a
 * doubling backoff, not a certificate or protocol the receiver's TLS refuses (`isPermanentTlsError`).
 */
async function postWebhook(channel: Webhook, payload: AlertPayload): Promise<AlertDelivery> {
  const body = JSON.stringify(payload);
  const label = channelLabel(channel);
  let error = '';
  let attempts = 0;
  let retryAfterMs: number | null = null;
  for (let attempt = 0; attempt <= channel.retries; attempt += 1) {
    if (attempt > 0) await delay(retryDelayMs(attempt, channel.backoffMs, retryAfterMs));
    attempts += 1;
    retryAfterMs = null;
    try {
      const { status, headers } = await ownHttpRequest(channel.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'velos-alerts', ...channel.headers },
        body,
        timeoutMs: Math.min(channel.timeoutMs, MAX_TIMER_MS),
        maxBytes: 0,
      });
      if (status >= 200 && status < 300) return { at: Date.now(), channel: label, isOk: true, attempts };
      error = status >= 300 && status < 400 ? `HTTP ${status} (a redirect: not followed)` : `HTTP ${status}`;
      if (status < 500 && status !== 429) break;
      retryAfterMs = retryAfterOf(headers['retry-after'], Date.now());
    } catch (cause) {
      error = describeHttpError(cause, channel.timeoutMs);
      if (isPermanentTlsError(cause)) {
        const reason = sslReason(cause);
        error = `${error}${reason ? `: ${reason}` : ''} (the TLS handshake failed: not retried)`;
        break;
      }
    }
  }
  return { at: Date.now(), channel: label, isOk: false, attempts, error };
}

/**
 * TLS failures no retry mends, whatever the network does: the receiver's certificate (self-signed, an
 * unknown authority, expired, for another name) or its protocol (an http server at an https URL).
 */
const PERMANENT_TLS =
  /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|ALTNAME|HOSTNAME_MISMATCH|^ERR_SSL_/;

/**
 * True for an error of a TLS handshake that would fail the same way again (`PERMANENT_TLS`, or OpenSSL's
 * EPROTO: `wrong version number` when the server at an https:// URL speaks plain HTTP).
 */
export function isPermanentTlsError(cause: unknown): boolean {
  const code = (cause as { code?: unknown })?.code;
  if (typeof code !== 'string') return false;
  return PERMANENT_TLS.test(code) || (code === 'EPROTO' && sslReason(cause) !== null);
}

/** OpenSSL's reason in an error's message (`…:SSL routines:…:wrong version number:…`), or null. */
function sslReason(cause: unknown): string | null {
  const message = cause instanceof Error ? cause.message : '';
  return /SSL routines:[^:]*:([^:]+)/.exec(message)?.[1]?.trim() ?? null;
}

/**
 * The wait before attempt `attempt` (1 for the first retry): the backoff doubled each time, or what a
 * 429/503's `Retry-After` asked for when that is longer (Slack and Discord say when to come back), at
 * most `MAX_BACKOFF_MS` either way.
 */
export function retryDelayMs(attempt: number, backoffMs: number, retryAfterMs: number | null): number {
  const doubled = backoffMs * 2 ** (attempt - 1);
  return Math.min(Math.max(doubled, retryAfterMs ?? 0), MAX_BACKOFF_MS);
}

/** `Retry-After` (seconds, or an HTTP date) in ms from `now`, or null when absent or unreadable. */
export function retryAfterOf(value: string | undefined, now: number): number | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1000);
  const at = Date.parse(text);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

function describeHttpError(cause: unknown, timeoutMs: number): string {
  if ((cause as Error)?.name === 'TimeoutError') return `timed out after ${timeoutMs} ms`;
  const code = (cause as { code?: unknown })?.code;
  if (typeof code === 'string') return code;
  return cause instanceof Error ? cause.message : String(cause);
}

/** How long the last stderr lines of a command that exited are awaited (a pipe a background program holds). */
const STDERR_AFTER_EXIT_MS = 200;

/**
 * Runs the channel's program (no shell: the alert's text never becomes part of a command line) with
 * the payload as JSON on stdin and in `VELOS_ALERT_*` variables; exit 0 within the timeout is a success.
 */
function runCommand(channel: Command, payload: AlertPayload): Promise<AlertDelivery> {
  const label = channelLabel(channel);
  const started = Date.now();
  return new Promise((resolve) => {
    let stderr = '';
    let isDone = false;
    const finish = (isOk: boolean, error?: string): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      // a program it left running in the background may hold the pipe: the daemon lets go of it
      child.stderr?.destroy();
      resolve({ at: Date.now(), channel: label, isOk, attempts: 1, ...(error ? { error } : {}) });
    };
    let exit: { code: number | null; signal: NodeJS.Signals | null } | null = null;
    const settle = (): void => {
      if (exit === null) return;
      if (exit.code === 0) {
        finish(true);
        return;
      }
      const how = exit.signal ? `signal ${exit.signal}` : `exit code ${exit.code}`;
      finish(false, `${how} after ${exitedAt - started} ms${lastLine(stderr)}`);
    };
    let exitedAt = started;
    const child = spawn(channel.command[0]!, channel.command.slice(1), {
      shell: false,
      stdio: ['pipe', 'ignore', 'pipe'],
      env: { ...process.env, ...alertEnv(payload) },
      detached: true,
    });
    const timer = setTimeout(
      () => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          child.kill('SIGKILL');
        }
        finish(false, `timed out after ${channel.timeoutMs} ms${lastLine(stderr)}`);
      },
      Math.min(channel.timeoutMs, MAX_TIMER_MS),
    );
    child.on('error', (error) => finish(false, error.message));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_BYTES);
    });
    // its exit decides: a program it started in the background (`notify … &`) may keep stderr open
    // long after, so the last stderr lines are awaited a moment, not until the pipe closes
    child.on('exit', (code, signal) => {
      exit = { code, signal };
      exitedAt = Date.now();
      // it ended within its timeout: what it left running is its own, not killed
      clearTimeout(timer);
      setTimeout(settle, STDERR_AFTER_EXIT_MS).unref();
    });
    child.on('close', settle);
    child.stdin.on('error', () => undefined);
    child.stdin.end(`${JSON.stringify(payload)}\n`);
  });
}

/** `: <the last line of text>`, or nothing when there is none. */
function lastLine(text: string): string {
  const trimmed = text.trim();
  return trimmed === '' ? '' : `: ${trimmed.split('\n').at(-1)}`;
}

/**
 * The payload as `VELOS_ALERT_<FIELD>` variables (NUL bytes dropped: the only byte env cannot hold); a
 * group's `apps` as one comma-separated list (app names hold no comma), its `alerts` only on stdin.
 */
export function alertEnv(payload: object): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(payload)) {
    if (key === 'apps' && Array.isArray(value)) {
      env.VELOS_ALERT_APPS = value.map((app) => String(app ?? '').replaceAll('\0', '')).join(',');
      continue;
    }
    if (value === undefined || (typeof value === 'object' && value !== null)) continue;
    env[`VELOS_ALERT_${key.toUpperCase()}`] = String(value ?? '').replaceAll('\0', '');
  }
  return env;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
