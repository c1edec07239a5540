import { randomBytes } from 'node:crypto';
import { closeSync, readFileSync, statSync, writeSync } from 'node:fs';
import { basename, join } from 'node:path';
import { CREATE_EXCLUSIVE, ErrorCodes, openNoFollow, VelosError } from '@velos/core';

/** Name of the token file in `$VELOS_HOME`. */
export const API_TOKENS_FILE = 'api-tokens';

/** Shortest token a file may hold (a generated one is 43 characters). */
const MIN_TOKEN_CHARS = 16;

/** The tokens of a token file, by scope. */
export interface ApiTokens {
  admin: string;
  read?: string;
}

/** What `loadOrCreateTokens` found or made. */
export interface LoadedTokens extends ApiTokens {
  /** The token file's absolute path. */
  path: string;
  /** The file was created by this call. */
  isCreated: boolean;
}

/**
 * The API tokens of a Velos home (`$VELOS_HOME/api-tokens`), created at first use (mode 0600) with
 * one admin and one read token of 32 random bytes each; a file others can read is refused.
 * @example const { admin, read } = loadOrCreateTokens('/home/me/.velos');
 */
export function loadOrCreateTokens(home: string): LoadedTokens {
  const path = join(home, API_TOKENS_FILE);
  const stats = statSync(path, { throwIfNoEntry: false });
  if (stats === undefined) {
    const created = createTokenFile(path);
    if (created !== null) return { ...created, path, isCreated: true };
  }
  return { ...readTokenFile(path), path, isCreated: false };
}

/**
 * Reads a token file: lines `admin <token>` and `read <token>`, a line with only a token is an
 * admin token, blank lines and `#` comments are skipped; errors name the file and line. A file
 * others can read or write (any of the mode bits 0o077) is refused.
 */
export function readTokenFile(path: string): ApiTokens {
  let text: string;
  let mode: number;
  try {
    mode = statSync(path).mode;
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    const reason = unreadable(path, cause);
    throw new VelosError(ErrorCodes.CONFIG_NOT_FOUND, `cannot read the token file ${path}: ${reason}`, {
      cause,
    });
  }
  if ((mode & 0o077) !== 0) {
    throw new VelosError(
      ErrorCodes.UNSAFE_HOME,
      `${path} is readable by others (mode ${(mode & 0o777).toString(8)}); run chmod 600 ${path}`,
    );
  }
  return parseTokens(text, basename(path));
}

/** Why a token file could not be read, and what to do about it. */
function unreadable(path: string, cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR') {
    return `it does not exist (${code}); create it with an admin token of 16 or more printable characters: (umask 077; echo "admin $(openssl rand -base64 32)" > ${path}), or name no token file to use $VELOS_HOME/${API_TOKENS_FILE}, made at the first start`;
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `permission denied (${code}); run as the user who owns it, or give this user the file (chown, then chmod 600 ${path})`;
  }
  if (code === 'EISDIR') return 'it is a directory (EISDIR); name the file that holds the tokens';
  return cause instanceof Error ? cause.message : String(cause);
}

/** Parses the text of a token file (see `readTokenFile`); `label` names it in errors. */
export function parseTokens(text: string, label: string): ApiTokens {
  const found: Partial<ApiTokens> = {};
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const where = `${label}: line ${index + 1}`;
    const words = line.split(/\s+/);
    const [scope, token] = words.length === 1 ? ['admin', words[0]!] : [words[0]!, words[1]!];
    if (words.length > 2 || (scope !== 'admin' && scope !== 'read')) {
      throw invalid(`${where}: expected "admin <token>", "read <token>" or a token alone`);
    }
    if (token.length < MIN_TOKEN_CHARS || !/^[\x21-\x7e]+$/.test(token)) {
      throw invalid(`${where}: expected a token of ${MIN_TOKEN_CHARS} or more printable characters`);
    }
    if (found[scope] !== undefined) throw invalid(`${where}: a second ${scope} token`);
    found[scope] = token;
  });
  if (found.admin === undefined) throw invalid(`${label}: expected an admin token`);
  if (found.read === found.admin) throw invalid(`${label}: the read token must differ from the admin token`);
  return found.read === undefined ? { admin: found.admin } : { admin: found.admin, read: found.read };
}

/** A fresh token: 32 random bytes, base64url. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

/** Writes a new token file, or returns null when another process created it first. */
function createTokenFile(path: string): ApiTokens | null {
  const tokens = { admin: generateToken(), read: generateToken() };
  let fd: number;
  try {
    fd = openNoFollow(path, CREATE_EXCLUSIVE, 0o600);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return null;
    throw error;
  }
  try {
    writeSync(
      fd,
      `# Velos API tokens (velos serve); keep this file private\nadmin ${tokens.admin}\nread ${tokens.read}\n`,
    );
  } finally {
    closeSync(fd);
  }
  return tokens;
}

function invalid(message: string): VelosError {
  return new VelosError(ErrorCodes.INVALID_CONFIG, message);
}
