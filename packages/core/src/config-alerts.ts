import { basename, resolve } from 'node:path';
import type { AlertRule } from './alert-rule.js';
import { parseAlertRules } from './alert-rules.js';
import { parseConfigText, readConfigText } from './config-loader.js';

/**
 * The `[[alerts]]` of a config file as rules whose source is the file's absolute path, or null when
 * the file has no `alerts` key; errors name the file and the path.
 */
export async function loadConfigAlerts(path: string): Promise<AlertRule[] | null> {
  const file = resolve(path);
  const doc = await parseConfigText(readConfigText(file), file);
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc) || !('alerts' in doc)) return null;
  return parseAlertRules((doc as { alerts: unknown }).alerts, basename(file), file);
}
