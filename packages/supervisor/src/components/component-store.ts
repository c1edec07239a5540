import { readFileSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  COMPONENT_LIMITS,
  COMPONENT_NAME,
  COMPONENT_STATUSES,
  type ComponentStatus,
  type ReportedComponent,
  writeFreshFile,
} from '@velos/core';

/** Where a daemon keeps its reported components between runs, in the Velos home. */
export const COMPONENTS_FILE = 'components.json';

/**
 * The components the previous daemon kept (`components.json`); none when there is no file. A file
 * that cannot be read or parsed, and entries that are not components, are left out with a log line.
 */
export function readComponents(home: string, log: (line: string) => void): ReportedComponent[] {
  let text: string;
  try {
    text = readFileSync(join(home, COMPONENTS_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log(`components: ${String(error)}`);
    return [];
  }
  let entries: unknown;
  try {
    entries = (JSON.parse(text) as { components?: unknown }).components;
  } catch (error) {
    log(`components: ${COMPONENTS_FILE} is not JSON, its components are forgotten: ${String(error)}`);
    return [];
  }
  if (!Array.isArray(entries)) return [];
  const kept = entries.filter(isComponent).slice(0, COMPONENT_LIMITS.maxComponents);
  if (kept.length < entries.length)
    log(`components: ${entries.length - kept.length} entries of ${COMPONENTS_FILE} left out`);
  return kept;
}

/**
 * Writes `components` to `components.json` (a fresh 0600 file renamed into place, never through a
 * symbolic link); removes the file when there are none.
 */
export function writeComponents(home: string, components: readonly ReportedComponent[]): void {
  const path = join(home, COMPONENTS_FILE);
  if (components.length === 0) {
    rmSync(path, { force: true });
    return;
  }
  writeFreshFile(`${path}.tmp`, `${JSON.stringify({ version: 1, components })}\n`);
  renameSync(`${path}.tmp`, path);
}

function isComponent(value: unknown): value is ReportedComponent {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  const isTime = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  return (
    typeof c.name === 'string' &&
    COMPONENT_NAME.test(c.name) &&
    COMPONENT_STATUSES.includes(c.status as ComponentStatus) &&
    typeof c.intervalMs === 'number' &&
    c.intervalMs >= COMPONENT_LIMITS.minIntervalMs &&
    c.intervalMs <= COMPONENT_LIMITS.maxIntervalMs &&
    isTime(c.lastReportAt) &&
    isTime(c.since) &&
    isTime(c.reports) &&
    typeof c.isStale === 'boolean' &&
    (c.message === undefined || typeof c.message === 'string') &&
    (c.app === undefined || typeof c.app === 'string')
  );
}
