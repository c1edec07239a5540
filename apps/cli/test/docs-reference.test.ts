import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VELOS_TOOLS } from '@velos/mcp';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/command-table.js';
import { APP_FLAGS } from '../src/commands/start-spec.js';

const root = join(import.meta.dirname, '..', '..', '..');
const read = (...path: string[]) => readFileSync(join(root, ...path), 'utf8');

/** Every page a user reads about the CLI: docs/ (but the benchmark log) and the two READMEs. */
const pages = [
  ...readdirSync(join(root, 'docs'))
    .filter((file) => file.endsWith('.md') && file !== 'benchmarks.md')
    .map((file) => read('docs', file)),
  read('README.md'),
  read('apps', 'cli', 'README.md'),
].join('\n');

/** The `## Commands` section of apps/cli/README.md: the CLI's reference list of commands. */
const commandsSection = read('apps', 'cli', 'README.md').split('\n## Commands\n')[1] ?? '';

const visible = COMMANDS.filter((command) => !command.hidden);

describe('the CLI reference (apps/cli/README.md, docs/)', () => {
  it('lists every command of the command table in the README', () => {
    const spans = [...commandsSection.matchAll(/`[^`]+`/g)].map(([span]) => span);
    const missing = visible
      .map((command) => command.name)
      .filter((name) => !spans.some((span) => new RegExp(`(?<![\\w-])${name}(?![\\w-])`).test(span)));
    expect(missing).toEqual([]);
  });

  it('documents every option of every command', () => {
    const missing = visible.flatMap((command) =>
      Object.keys(command.options)
        .filter((option) => !new RegExp(`--${option}(?![\\w-])`).test(pages))
        .map((option) => `velos ${command.name} --${option}`),
    );
    expect(missing).toEqual([]);
  });

  it('names each app flag of velos start in the row of its key in docs/configuration.md', () => {
    const rows = read('docs', 'configuration.md')
      .split('\n')
      .filter((line) => line.startsWith('| `'));
    const missing = Object.entries(APP_FLAGS)
      .filter(([flag, key]) => {
        const row = rows.find((line) => line.split('|')[1]!.includes(`\`${key}\``));
        return row === undefined || !new RegExp(`--${flag}(?![\\w-])`).test(row);
      })
      .map(([flag, key]) => `${key}: --${flag}`);
    expect(missing).toEqual([]);
  });

  it('gives the --ai keys of every command that takes --ai in docs/ai-output.md', () => {
    const firstCells = read('docs', 'ai-output.md')
      .split('\n')
      .filter((line) => line.startsWith('| `'))
      .map((line) => line.split('|')[1]!);
    const missing = visible
      .filter((command) => command.options.ai !== undefined)
      .map((command) => command.name)
      .filter((name) => !firstCells.some((cell) => new RegExp(`\`${name}(?![\\w-])`).test(cell)));
    expect(missing).toEqual([]);
  });

  it('names every MCP tool in velos mcp --help', () => {
    const details = COMMANDS.find((command) => command.name === 'mcp')!.details ?? '';
    const named = new Set(details.match(/\b[a-z]+_[a-z_]+\b/g));
    expect(VELOS_TOOLS.map((tool) => tool.name).filter((name) => !named.has(name))).toEqual([]);
    expect([...named].filter((name) => !VELOS_TOOLS.some((tool) => tool.name === name))).toEqual([]);
  });
});
