import type { CommandSpec, OptionSpec } from './command-spec.js';
import { COMMANDS } from './command-table.js';
import { alignRows, fitLines } from './help-layout.js';

/**
 * `velos --help`: what velos is, its commands, and where it keeps its state; `width`: the terminal's
 * columns, to fit the commands and options to (none: one line each, for a pipe).
 */
export function renderGlobalHelp(version: string, width?: number): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const rows = visible.map((c): [string, string] => [
    [c.name, ...(c.aliases ?? [])].join('|') +
      ((c.shortArgsUsage ?? c.argsUsage) ? ` ${c.shortArgsUsage ?? c.argsUsage}` : ''),
    c.summary,
  ]);
  return [
    `velos ${version}: a fast, light process manager`,
    '',
    'Usage: velos <command> [options]',
    '',
    'Commands:',
    ...alignRows(rows, width),
    '',
    'Options:',
    ...alignRows(
      [
        ['-v, --version', 'print the version (also -V, and velos version [--json])'],
        ['-h, --help', 'print this help, or a command\'s with "velos <command> --help"'],
        ['-s, --silent', "any command: print only the data a command exists to print (PM2's -s)"],
        ['    --no-color', 'any command: no colour, even on a terminal'],
      ],
      width,
    ),
    '',
    ...fitLines(
      [
        'A name that starts with "-" goes after --: velos stop -- -rf.',
        'The daemon starts on demand and keeps its socket, logs and state in $VELOS_HOME (default ~/.velos).',
        'Coming from PM2: the same commands and targets work (velos jlist, sendSignal, /regex/…); see docs/migrating-from-pm2.md.',
      ],
      width,
    ),
  ].join('\n');
}

/** `velos version --help`: the one command outside the command table. */
export function renderVersionHelp(width?: number): string {
  return [
    'Usage: velos version [options]',
    'Aliases: -v, -V, --version',
    '',
    'Print the version of this velos.',
    '',
    'Options:',
    ...alignRows(
      [
        ['    --json', 'print {"version": "…"}'],
        ['    --ai', 'the same as --json'],
        ['-h, --help', 'print this help'],
      ],
      width,
    ),
  ].join('\n');
}

/**
 * `velos <command> --help`: usage, what it does, and every option with its value; `typed`: the name
 * used; `width`: the terminal's columns (as for `renderGlobalHelp`).
 */
export function renderCommandHelp(spec: CommandSpec, typed = spec.name, width?: number): string {
  const others = [spec.name, ...(spec.aliases ?? [])].filter((name) => name !== typed);
  const usage = [
    'velos',
    typed,
    spec.argsUsage,
    Object.keys(spec.options).length > 0 ? '[options]' : undefined,
  ]
    .filter(Boolean)
    .join(' ');
  const options = Object.entries(spec.options)
    .filter(([, option]) => option.isHidden !== true)
    .map(([name, option]) => [optionLabel(name, option), option.description]);
  options.push(['-h, --help', 'print this help']);
  return [
    `Usage: ${usage}${spec.acceptsRest ? ' [-- args...]' : ''}`,
    ...(others.length > 0 ? [`Aliases: ${others.join(', ')}`] : []),
    '',
    `${spec.summary[0]!.toUpperCase()}${spec.summary.slice(1)}.`,
    ...(spec.details ? [spec.details] : []),
    ...(spec.maxArgs > 0 && !spec.acceptsRest
      ? [`Words after -- are arguments, even when they start with "-" (velos ${typed} -- -rf).`]
      : []),
    '',
    'Options:',
    ...alignRows(options as [string, string][], width),
  ].join('\n');
}

function optionLabel(name: string, option: OptionSpec): string {
  const value = option.value ?? 'value';
  const long = `--${name}${option.type === 'string' ? (option.isValueOptional ? `[=${value}]` : option.takesNextWord ? ` [${value}]` : ` <${value}>`) : ''}`;
  return option.short ? `-${option.short}, ${long}` : `    ${long}`;
}
