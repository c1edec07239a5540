import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { ErrorCodes, VelosError } from './errors.js';
import { formatBytes } from './units.js';
import { decodeUtf8, utf8Problem } from './utf8-text.js';

/**
 * The largest config file read, in bytes: 16 KiB for each of the 1000 apps a file may hold (an app with
 * 50 environment variables is 1.5 KiB of JSON), and as large as the daemon's largest request (IPC-1),
 * which carries the apps of a file to it. Checked before reading and parsing.
 */
export const MAX_CONFIG_BYTES = 16 * 1024 * 1024;

/** Refuses a config file of more than MAX_CONFIG_BYTES (`size`: its bytes, or its characters). */
export function refuseOversized(size: number, file: string): void {
  if (size <= MAX_CONFIG_BYTES) return;
  throw new VelosError(
    ErrorCodes.INVALID_CONFIG,
    `${basename(file)}: ${formatBytes(size)}, at most ${formatBytes(MAX_CONFIG_BYTES)} for a config file (1000 apps of 16 KiB)`,
    { data: { file, bytes: size, limit: MAX_CONFIG_BYTES } },
  );
}

/**
 * The text of the config file at absolute path `file`; CONFIG_NOT_FOUND naming it when it cannot be
 * read; INVALID_CONFIG for a file over MAX_CONFIG_BYTES, before reading it.
 */
export function readConfigText(file: string): string {
  let size: number;
  try {
    size = statSync(file).size;
  } catch (cause) {
    throw new VelosError(
      ErrorCodes.CONFIG_NOT_FOUND,
      `${basename(file)}: cannot read config file ${file}${readFailure(cause)}`,
      { cause },
    );
  }
  refuseOversized(size, file);
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    throw new VelosError(
      ErrorCodes.CONFIG_NOT_FOUND,
      `${basename(file)}: cannot read config file ${file}${readFailure(cause)}`,
      { cause },
    );
  }
  return configText(bytes, file);
}

/** Why a file could not be read, as ` (CODE: words)` (a directory without permission, a directory…). */
function readFailure(cause: unknown): string {
  const code = (cause as NodeJS.ErrnoException).code;
  if (code === undefined) return '';
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied, on the file or a directory of its path',
    EPERM: 'operation not permitted',
    EISDIR: 'a directory',
    ENOTDIR: 'a part of its path is not a directory',
    ELOOP: 'too many symlinks',
  };
  return ` (${code}${words[code] ? `: ${words[code]}` : ''})`;
}

/** The UTF-8 text of a config file's bytes; INVALID_CONFIG naming the line of a byte that is not UTF-8. */
export function configText(bytes: Uint8Array, file: string): string {
  const decoded = decodeUtf8(bytes);
  if (decoded.ok) return decoded.text;
  throw new VelosError(ErrorCodes.INVALID_CONFIG, `${basename(file)}: ${utf8Problem(decoded)}`, {
    data: { file, line: decoded.line },
  });
}
