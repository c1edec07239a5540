import type { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import {
  type CommandOptions,
  classifyCommand,
  dedupeCommand,
  Output,
  searchCommand,
  summarizeCommand,
  templatesCommand,
} from './cli-commands.js';
import { parseLevel } from './levels.js';
import { readRulesFile } from './rules-file.js';
import { parseTimestamp } from './timestamp.js';
import { compileUserRules } from './user-rules.js';

const VERSION = '0.1.0';

const USAGE = `Usage: velos-log <command> [file|-] [options]

Reads the file, or stdin when the file is - or missing.

Commands:
  summarize   period, totals by level, top patterns, anomalies, last error, health score
              (also summary, the word of velos logs --summary and MCP's log_summary)
  templates   one line per input line: <templateId>\\t<template>
  classify    one line per input line: <level>\\t<line>
  search      the lines that match --text, --regex, --level, --since, --until
  dedupe      lines of one template collapsed: template (x847, first 10:05, last 10:47)

Options:
  --format <f>         templates, classify: tsv|json; search, dedupe: text|json
  --json               summarize: compact JSON (same as --format json)
  --top <n>            summarize: patterns listed (default 5)
  --utc                print times in UTC (default: local time)
  --stream             templates: print each id as its line is read (ids are not revised by later merges;
                       a .NET console header's once its message line comes, or after 1 s without it)
  --max-templates <n>  templates kept in memory (default 1000)
  --text <s>           search: lines containing s
  --regex <re>         search: lines matching re
  -i, --ignore-case    search: case-insensitive --text and --regex
  --level <l>          search: lines at least this severe (fatal, error, warn, info, debug)
  --since <t>          search: lines at or after t (ISO time, or a duration ago: 30s, 10m, 2h, 1d)
  --until <t>          search: lines at or before t
  --limit <n>          search: stop after n lines
  --window <d>         dedupe: start a new group after d (e.g. 10m)
  --rules <file>       classification rules tried before the built-in ones: a JSON list or a TOML
                       file of [[rules]] (match = "regex", level = "warn", optional stream = "err");
                       a leading (?i) ignores case; at most 64 rules of 512 characters
  -h, --help           this help
  -v, --version        the version`;

const COMMANDS = {
  summarize: summarizeCommand,
  summary: summarizeCommand,
  templates: templatesCommand,
  classify: classifyCommand,
  search: searchCommand,
  dedupe: dedupeCommand,
} as const;

class UsageError extends Error {}

const OPTIONS = {
  format: { type: 'string' },
  json: { type: 'boolean' },
  top: { type: 'string' },
  utc: { type: 'boolean' },
  stream: { type: 'boolean' },
  'max-templates': { type: 'string' },
  text: { type: 'string' },
  regex: { type: 'string' },
  'ignore-case': { type: 'boolean', short: 'i' },
  level: { type: 'string' },
  since: { type: 'string' },
  until: { type: 'string' },
  limit: { type: 'string' },
  window: { type: 'string' },
  rules: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean', short: 'v' },
} as const;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: negativeValuesJoined(argv),
    allowPositionals: true,
    strict: true,
    options: OPTIONS,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const [name, file, extra] = positionals;
  if (name === undefined)
    throw new UsageError('expected a command: summarize, templates, classify, search or dedupe');
  if (!Object.hasOwn(COMMANDS, name))
    throw new UsageError(
      `unknown command "${name}": expected summarize, templates, classify, search or dedupe`,
    );
  if (extra !== undefined) throw new UsageError(`expected at most one file, got "${file}" and "${extra}"`);
  const command = COMMANDS[name as keyof typeof COMMANDS];
  const format = values.json
    ? 'json'
    : (values.format ?? (name === 'templates' || name === 'classify' ? 'tsv' : 'text'));
  const formats = name === 'templates' || name === 'classify' ? ['tsv', 'json'] : ['text', 'json'];
  if (!formats.includes(format))
    throw new UsageError(`--format: expected ${formats.join(' or ')}, got "${format}"`);
  let level: CommandOptions['level'];
  if (values.level !== undefined) {
    level = parseLevel(values.level);
    if (level === undefined)
      throw new UsageError(`--level: expected fatal, error, warn, info or debug, got "${values.level}"`);
  }
  const options: CommandOptions = {
    format: format as CommandOptions['format'],
    utc: values.utc ?? false,
    top: positiveInt('--top', values.top) ?? 5,
    stream: values.stream ?? false,
    maxTemplates: positiveInt('--max-templates', values['max-templates']),
    text: values.text,
    regex: values.regex,
    ignoreCase: values['ignore-case'] ?? false,
    level,
    since: time('--since', values.since),
    until: time('--until', values.until),
    limit: positiveInt('--limit', values.limit),
    windowMs: values.window === undefined ? undefined : durationMs('--window', values.window),
    userRules: values.rules === undefined ? undefined : compileUserRules(await readRulesFile(values.rules)),
  };
  const input: Readable | string = file === undefined || file === '-' ? process.stdin : file;
  // read all the same (a log with a stretch of NULs or stray bytes still has lines worth reading, and
  // `grep -a` is what a refusal would make a user type), but said: its templates are likely noise
  options.onBinaryInput = () => {
    const what = typeof input === 'string' ? input : 'the input';
    process.stderr.write(
      `velos-log: ${what} looks binary (NUL or control bytes at its start), not a text log: read as text anyway, its lines and templates are likely noise\n`,
    );
  };
  const out = new Output();
  await command(input, options, out);
  await out.flush();
  return 0;
}

/** The options that take a value, whose value may be a negative number (`--top -1`, read as `--top=-1`). */
const VALUE_OPTIONS = new Set(
  Object.entries(OPTIONS).flatMap(([name, option]) => (option.type === 'string' ? [`--${name}`] : [])),
);

/**
 * `argv` with a value option followed by a negative number joined to it (`--top -1` → `--top=-1`), so that
 * the option's own check names the bad value: Node's parseArgs takes `-1` for an option and says so on
 * three lines.
 */
function negativeValuesJoined(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const next = argv[i + 1];
    if (arg === '--') return out.concat(argv.slice(i));
    if (VALUE_OPTIONS.has(arg) && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else out.push(arg);
  }
  return out;
}

function positiveInt(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`${flag}: expected a positive integer, got "${value}"`);
  return n;
}

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h|d)$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

function durationMs(flag: string, value: string): number {
  const match = DURATION.exec(value);
  if (match === null)
    throw new UsageError(`${flag}: expected a duration such as 30s, 10m, 2h or 1d, got "${value}"`);
  return Number(match[1]) * UNIT_MS[match[2]!]!;
}

function time(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (DURATION.test(value)) return Date.now() - durationMs(flag, value);
  const ts = parseTimestamp(value);
  if (Number.isNaN(ts)) {
    throw new UsageError(
      `${flag}: expected an ISO time (2024-05-01T10:00:00Z) or a duration ago (10m), got "${value}"`,
    );
  }
  return ts;
}

process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  // The reader went away (velos-log … | head): stop quietly.
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const usage =
      error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // one line: Node's parseArgs spreads some messages over several
    const message = (error as Error).message.replace(/\s*\n\s*/g, ' ');
    process.stderr.write(`velos-log: ${message}${usage ? '\nTry velos-log --help.' : ''}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);
