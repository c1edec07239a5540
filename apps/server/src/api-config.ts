import { ErrorCodes, VelosError } from '@velos/core';
import { parseServeSettings, type ServeFlags, type ServeSettings } from './serve-settings.js';

/** Keys of config.toml's `[api]` table and the serve flag each one stands for. */
const KEYS: Record<string, { flag: string; kind: 'string' | 'number' | 'list' | 'boolean' }> = {
  port: { flag: 'port', kind: 'number' },
  host: { flag: 'host', kind: 'string' },
  token_file: { flag: 'token-file', kind: 'string' },
  auth: { flag: 'no-auth', kind: 'boolean' },
  tls_cert: { flag: 'tls-cert', kind: 'string' },
  tls_key: { flag: 'tls-key', kind: 'string' },
  cors: { flag: 'cors', kind: 'list' },
  rate_limit: { flag: 'rate-limit', kind: 'number' },
  dashboard: { flag: 'no-dashboard', kind: 'boolean' },
  mcp: { flag: 'no-mcp', kind: 'boolean' },
};

/**
 * The settings of config.toml's `[api]` table (null: no table, the daemon serves no API), validated as
 * the flags of `velos serve` are; relative paths are from the home. A bad key throws naming `[api] <key>`.
 * @example settingsFromApiTable({ port: 9716, cors: ['https://ops.example.com'] }, home)
 */
export function settingsFromApiTable(table: unknown, home: string): ServeSettings | null {
  if (table === undefined) return null;
  if (table === null || typeof table !== 'object' || Array.isArray(table)) {
    throw invalid('[api] must be a table, such as [api] port = 9716');
  }
  const flags: ServeFlags = {};
  for (const [key, value] of Object.entries(table)) {
    const known = KEYS[key];
    if (!known) throw invalid(`[api] ${key}: unknown key (known: ${Object.keys(KEYS).join(', ')})`);
    flags[known.flag] = flagValue(key, known.kind, value);
  }
  const label = (flag: string) => {
    const key = Object.entries(KEYS).find(([, known]) => known.flag === flag)?.[0] ?? flag;
    return `config.toml: [api] ${key}`;
  };
  return parseServeSettings(flags, { cwd: home, label });
}

function flagValue(key: string, kind: string, value: unknown): string | boolean {
  const expected = (what: string) => invalid(`[api] ${key}: expected ${what}, got ${JSON.stringify(value)}`);
  switch (kind) {
    case 'number':
      if (typeof value === 'number' && Number.isInteger(value)) return String(value);
      if (typeof value === 'string' && key === 'rate_limit') return value;
      throw expected('an integer');
    case 'string':
      if (typeof value === 'string') return value;
      throw expected('a string');
    case 'list':
      if (typeof value === 'string') return value;
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value.join(',');
      throw expected('a list of origins');
    default:
      // `auth = false`, `dashboard = false`, `mcp = false` are the --no-… flags
      if (typeof value === 'boolean') return !value;
      throw expected('true or false');
  }
}

function invalid(message: string): VelosError {
  return new VelosError(
    ErrorCodes.INVALID_CONFIG,
    message.startsWith('config.toml') ? message : `config.toml: ${message}`,
  );
}
