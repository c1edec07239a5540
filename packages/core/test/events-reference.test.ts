import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_EVENT_NAME, EVENT_KINDS, matchesEventKind } from '../src/events.js';

const reference = readFileSync(join(import.meta.dirname, '..', '..', '..', 'docs', 'events.md'), 'utf8');

describe('docs/events.md', () => {
  it('documents every kind of EVENT_KINDS', () => {
    const missing = EVENT_KINDS.filter((kind) => !reference.includes(`\`${kind}\``));
    expect(missing).toEqual([]);
  });
});

describe('event kinds', () => {
  it('are <category>.<name> and unique', () => {
    expect(new Set(EVENT_KINDS).size).toBe(EVENT_KINDS.length);
    for (const kind of EVENT_KINDS) expect(kind).toMatch(/^[a-z]+\.[a-z_]+$/);
  });

  it('match a filter by whole kind, category or name', () => {
    expect(matchesEventKind('process.exited', [])).toBe(true);
    expect(matchesEventKind('process.exited', ['process.exited'])).toBe(true);
    expect(matchesEventKind('process.exited', ['process'])).toBe(true);
    expect(matchesEventKind('process.exited', ['exited'])).toBe(true);
    expect(matchesEventKind('process.exited', ['exit', 'job'])).toBe(false);
    expect(matchesEventKind('app.sync.done', ['sync.done'])).toBe(true);
    expect(matchesEventKind('app.sync.done', ['app'])).toBe(true);
  });

  it('app event names follow APP_EVENT_NAME', () => {
    for (const name of ['sync.done', 'payment-failed', 'a:b', '_x', '9'])
      expect(APP_EVENT_NAME.test(name)).toBe(true);
    for (const name of ['', '.x', '-x', 'a b', 'x'.repeat(65), 'é'])
      expect(APP_EVENT_NAME.test(name)).toBe(false);
  });
});
