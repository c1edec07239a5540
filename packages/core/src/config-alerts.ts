import { basename, extname, resolve } from 'node:path';
import type { AlertRule } from './alert-rule.js';
import { parseAlertRules } from './alert-rules.js';
import { lineOfKey } from './config-line.js';
import { parseConfigText } from './config-loader.js';
import { readConfigText } from './config-read.js';
import { ErrorCodes, isVelosError, VelosError } from './errors.js';

/**
 * The `[[alerts]]` of a config file as rules whose source is the file's absolute path, or null when
 * the file has no `alerts` key; errors name the file and the path.
 */
export async function loadConfigAlerts(path: string): Promise<AlertRule[] | null> {
  const file = resolve(path);
  const text = readConfigText(file);
  const doc = await parseConfigText(text, file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('alerts' in doc)) return null;
  try {
    return parseAlertRules((doc as { alerts: unknown }).alerts, basename(file), file);
  } catch (error) {
    throw withLine(error, text, extname(file).toLowerCase());
  }
}

/** A rule's error with ` (line N)` of the key it names, as the errors of apps have it. */
function withLine(error: unknown, text: string, ext: string): unknown {
  if (!isVelosError(error)) return error;
  const keyPath = (error.data as { keyPath?: PropertyKey[] } | undefined)?.keyPath;
  const line = keyPath ? lineOfKey(text, keyPath, ext) : null;
  if (line === null) return error;
  return new VelosError(ErrorCodes.INVALID_CONFIG, `${error.message} (line ${line})`, {
    data: { keyPath, line },
  });
}
