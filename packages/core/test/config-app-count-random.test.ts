import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { countAppEntries } from '../src/config-app-count.js';
import { relaxJson } from '../src/relaxed-json.js';

// a fixed seed: a failure names the document it was found with
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x80000000;
  };
}

const NASTY = 'ab []{},:#\'"\\/*=\t-?&!|>';

function pick<T>(next: () => number, items: readonly T[]): T {
  return items[Math.floor(next() * items.length)]!;
}

function nastyText(next: () => number): string {
  return Array.from({ length: Math.floor(next() * 12) }, () => pick(next, [...NASTY])).join('');
}

/**
 * A YAML flow plain scalar: words without flow indicators or `: `, not ending in `:`; a word after a
 * space may start with a quote, which is then part of the scalar (`it 'is`), not a quoted string.
 */
function plainWord(next: () => number): string {
  const word = () =>
    Array.from({ length: Math.floor(next() * 6) }, () => pick(next, [...'a\'#:.-/"b'])).join('');
  const words = Array.from(
    { length: Math.floor(next() * 3) },
    () => `${pick(next, ["'", '"', 'c'])}${word()}z`,
  );
  return [`w${word()}z`, ...words].join(' ');
}

function yamlValue(next: () => number): string {
  const text = nastyText(next);
  switch (Math.floor(next() * 4)) {
    case 0:
      return JSON.stringify(text);
    case 1:
      return `'${text.replaceAll("'", "''")}'`;
    case 2:
      return plainWord(next);
    default:
      return `[${JSON.stringify(text)}, ${plainWord(next)}]`;
  }
}

function tomlValue(next: () => number): string {
  const text = nastyText(next);
  switch (Math.floor(next() * 4)) {
    case 0:
      return JSON.stringify(text);
    case 1:
      return text.includes("'") ? JSON.stringify(text) : `'${text}'`;
    case 2:
      return text.includes("'''") || text.endsWith("'") ? '"x"' : `'''${text}'''`;
    default:
      return `[${JSON.stringify(text)}, { k = ${JSON.stringify(text)} }]`;
  }
}

function comment(next: () => number, mark: string): string {
  return next() < 0.3 ? ` ${mark} ${nastyText(next).replaceAll('\n', '')}` : '';
}

describe('countAppEntries against the parsers (random documents with brackets, quotes and comments in their strings)', () => {
  const seeds = Array.from({ length: 300 }, (_, i) => i + 1);

  it('counts the apps the parsers read, YAML flow style', () => {
    for (const seed of seeds) {
      const next = random(seed);
      const apps = Array.from(
        { length: Math.floor(next() * 6) + 1 },
        () =>
          `{name: ${yamlValue(next)}, script: ${yamlValue(next)}, ${JSON.stringify(nastyText(next))}: ${yamlValue(next)}}`,
      );
      const body = apps.map((app) => `  ${app},${comment(next, '#')}`).join('\n');
      const text = `note: ${yamlValue(next)}${comment(next, '#')}\napps: [${comment(next, '#')}\n${body}\n]\n`;
      const parsed = parseYaml(text) as { apps: unknown[] };
      expect(countAppEntries(text, '.yaml')?.count, text).toBe(parsed.apps.length);
    }
  });

  it('counts the apps the parsers read, TOML inline array', () => {
    for (const seed of seeds) {
      const next = random(seed);
      const apps = Array.from(
        { length: Math.floor(next() * 6) + 1 },
        () =>
          `{ name = ${tomlValue(next)}, script = ${tomlValue(next)}, ${JSON.stringify(nastyText(next))} = ${tomlValue(next)} }`,
      );
      const body = apps.map((app) => `  ${app},${comment(next, '#')}`).join('\n');
      const text = `note = ${tomlValue(next)}${comment(next, '#')}\napps = [${comment(next, '#')}\n${body}\n]\n[x]\napps = [1, 2, 3, 4, 5, 6, 7, 8]\n`;
      const parsed = parseToml(text) as { apps: unknown[] };
      expect(countAppEntries(text, '.toml')?.count, text).toBe(parsed.apps.length);
    }
  });

  it('counts the apps the parsers read, JSON with PM2 comments', () => {
    for (const seed of seeds) {
      const next = random(seed);
      const apps = Array.from({ length: Math.floor(next() * 6) + 1 }, () =>
        JSON.stringify({ name: nastyText(next), [nastyText(next)]: [nastyText(next)] }),
      );
      const body = apps.map((app) => `  ${app},${comment(next, '//')}`).join('\n');
      const block = next() < 0.5 ? `/* ${nastyText(next).replaceAll('*/', '')} */` : '';
      const text = `{${block}"note": ${JSON.stringify(nastyText(next))},\n"apps": [\n${body}\n],}\n`;
      const parsed = JSON.parse(relaxJson(text)) as { apps: unknown[] };
      expect(countAppEntries(text, '.json')?.count, text).toBe(parsed.apps.length);
    }
  });
});
