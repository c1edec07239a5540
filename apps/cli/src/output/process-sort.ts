import type { ProcessInfo } from '@velos/core';
import { argumentError } from '../parse-argv.js';

/** The columns `velos list --sort` orders by (PM2's `--sort <field>:<asc|desc>`). */
export const SORT_FIELDS = ['name', 'id', 'pid', 'status', 'cpu', 'memory', 'uptime', 'restarts'] as const;

/** A field of `SORT_FIELDS` and its direction. */
export interface ProcessSort {
  field: (typeof SORT_FIELDS)[number];
  isDescending: boolean;
}

/**
 * Reads `--sort name`, `--sort memory:desc` (PM2's form); a field or direction it does not know is a
 * usage error naming what it takes.
 * @example parseProcessSort('cpu:desc') // { field: 'cpu', isDescending: true }
 */
export function parseProcessSort(text: string): ProcessSort {
  const [field = '', order = 'asc', ...extra] = text.trim().toLowerCase().split(':');
  const known = (SORT_FIELDS as readonly string[]).includes(field);
  if (!known || (order !== 'asc' && order !== 'desc') || extra.length > 0)
    throw argumentError(
      `--sort ${JSON.stringify(text)}: expected one of ${SORT_FIELDS.join(', ')}, optionally followed by :asc or :desc (e.g. memory:desc)`,
    );
  return { field: field as ProcessSort['field'], isDescending: order === 'desc' };
}

/** The processes ordered by `sort` (ties keep id order); the list given is not changed. */
export function sortProcesses(processes: readonly ProcessInfo[], sort: ProcessSort): ProcessInfo[] {
  const sign = sort.isDescending ? -1 : 1;
  return [...processes].sort((a, b) => sign * compare(a, b, sort.field) || a.id - b.id);
}

function compare(a: ProcessInfo, b: ProcessInfo, field: ProcessSort['field']): number {
  if (field === 'name' || field === 'status') return a[field].localeCompare(b[field]);
  // a process that does not run has no pid: it comes after those that do (first in :desc)
  if (field === 'pid') return (a.pid ?? Number.MAX_SAFE_INTEGER) - (b.pid ?? Number.MAX_SAFE_INTEGER);
  return a[field] - b[field];
}
