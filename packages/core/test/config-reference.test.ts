import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appConfigSchema } from '../src/app-schema.js';

const reference = readFileSync(
  join(import.meta.dirname, '..', '..', '..', 'docs', 'configuration.md'),
  'utf8',
);

/** The rows of the reference table: first cell (the key) → third cell (the default). */
function referenceRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of reference.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim());
    if (cells.length < 5 || !cells[1]?.startsWith('`')) continue;
    for (const key of cells[1].matchAll(/`([a-z_<>]+)`/g)) rows.set(key[1]!, cells[3] ?? '');
  }
  return rows;
}

describe('docs/configuration.md', () => {
  it('lists every config key with a default', () => {
    const rows = referenceRows();
    const keys = Object.keys(appConfigSchema.def.shape);
    const missing = keys.filter((key) => !rows.has(key));
    expect(missing).toEqual([]);
    const withoutDefault = keys.filter((key) => rows.get(key) === '');
    expect(withoutDefault).toEqual([]);
  });
});
