import { readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { AlertRule } from './alert-rule.js';
import { parseAlertRules } from './alert-rules.js';
import { parseConfigText } from './config-loader.js';
import { ErrorCodes, VelosError } from './errors.js';

/**
 * The `[[alerts]]` of a config file as rules whose source is the file's absolute path, or null when
 * the file has no `alerts` key; errors name the file and the path.
 */
export async function loadConfigAlerts(path: string): Promise<AlertRule[] | null> {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    throw new VelosError(ErrorCodes.CONFIG_NOT_FOUND, `${basename(file)}: cannot read config file ${file}`, {
      cause,
    });
  }
  const doc = await parseConfigText(text, file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('alerts' in doc)) return null;
  return parseAlertRules((doc as { alerts: unknown }).alerts, basename(file), file);
}
