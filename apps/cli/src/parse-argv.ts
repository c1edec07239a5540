import { ErrorCodes, suggestKey, VelosError } from '@velos/core';
import type { CommandInput, CommandSpec, OptionSpec } from './command-spec.js';

/** Exit code of a usage error (unknown command or option, missing or extra argument). */
export const USAGE_EXIT_CODE = 2;

/**
 * A bad value or use of an option or argument, whose message already names it and what it expects
 * (`--kill-timeout: expected a duration…`): exit code 2, as a usage error, without the `--help` pointer.
 */
export function argumentError(message: string, options: { cause?: unknown } = {}): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, message, {
    ...options,
    data: { exitCode: USAGE_EXIT_CODE },
  });
}

/** A `VelosError` that the CLI reports with exit code 2 and a pointer to `--help`. */
export function usageError(message: string, command?: string): VelosError {
  const help = command ? `velos ${command} --help` : 'velos --help';
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${message} (see ${help})`, {
    data: { exitCode: USAGE_EXIT_CODE },
  });
}

/**
 * Parses a command's arguments: `--opt value`, `--opt=value`, `-o value`, `-ovalue`, boolean flags
 * anywhere among the positionals, and everything after `--` as `rest` (for a command that takes
 * `-- args…`) or as positionals (any other command: `velos stop -- -rf` targets an app named `-rf`).
 * Errors name the command as it was typed (`typed`: an alias such as PM2's `sendSignal`).
 */
export function parseCommandArgs(spec: CommandSpec, argv: string[], typed = spec.name): CommandInput {
  const options: CommandInput['options'] = {};
  const typedFlags: Record<string, string> = {};
  const args: string[] = [];
  const rest: string[] = [];
  const shorts = new Map<string, string>();
  for (const [name, option] of Object.entries(spec.options)) if (option.short) shorts.set(option.short, name);

  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      (spec.acceptsRest ? rest : args).push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const option = spec.options[name];
      if (!option) {
        // a flag the command knows by name (PM2's --write, --parallel) is told what to use instead,
        // before a look-alike option (--write is not --wait)
        const own = spec.dashHint?.(args, arg) ?? null;
        const meant =
          own === null || own === ''
            ? (suggestKey(name, Object.keys(spec.options)) ?? synonymOf(name, spec))
            : null;
        const hint =
          meant === null ? dashHint(spec, args, arg, typed, argv[i + 1]) : `; did you mean --${meant}?`;
        throw usageError(`unknown option --${name} for velos ${typed}${hint}`, typed);
      }
      typedFlags[name] = `--${name}`;
      if (option.type === 'boolean') {
        if (eq !== -1) throw usageError(`option --${name} takes no value`, typed);
        options[name] = true;
        continue;
      }
      if (
        (option.isValueOptional || option.takesNextWord) &&
        eq === -1 &&
        !nextIsValue(option, argv[i + 1], args.length >= spec.maxArgs)
      ) {
        options[name] = true;
        continue;
      }
      const value = eq === -1 ? nextValue(spec, shorts, typed, `--${name}`, argv[++i]) : arg.slice(eq + 1);
      options[name] = requireValue(typed, `--${name}`, option, value);
      i = takeMoreValues(option, argv, i, options, name);
      continue;
    }
    // `-2` is a value (velos scale api -2), not a flag
    if (arg.startsWith('-') && arg.length > 1 && !/^-\d+$/.test(arg)) {
      for (let j = 1; j < arg.length; j++) {
        const flag = arg[j]!;
        const name = shorts.get(flag);
        const option = name === undefined ? undefined : spec.options[name];
        if (name === undefined || !option)
          throw usageError(
            `unknown option -${flag} for velos ${typed}${dashHint(spec, args, arg, typed, argv[i + 1])}`,
            typed,
          );
        typedFlags[name] = `-${flag}`;
        if (option.type === 'boolean') {
          options[name] = true;
          continue;
        }
        const attached = arg.slice(j + 1);
        if (
          attached === '' &&
          option.takesNextWord &&
          !nextIsValue(option, argv[i + 1], args.length >= spec.maxArgs)
        ) {
          options[name] = true;
          break;
        }
        const value = attached === '' ? nextValue(spec, shorts, typed, `-${flag}`, argv[++i]) : attached;
        options[name] = requireValue(typed, `-${flag}`, option, value);
        i = takeMoreValues(option, argv, i, options, name);
        break;
      }
      continue;
    }
    args.push(arg);
  }

  if (args.length < spec.minArgs) {
    throw usageError(
      `velos ${typed} needs ${spec.argsUsage ?? 'an argument'}${missingArgs(spec, args)}`,
      typed,
    );
  }
  if (args.length > spec.maxArgs) {
    const hint = spec.extraArgHint ?? (spec.acceptsRest ? restHint(args, spec.maxArgs, typed) : '');
    throw usageError(`unexpected argument "${args[spec.maxArgs]}" for velos ${typed}${hint}`, typed);
  }
  return { options, args, rest, typedFlags };
}

/**
 * The two ways to give an app its arguments, written out with the words typed: after `--`, or a
 * command line in quotes when the first word is a program (`velos start python3 worker.py`; a script
 * such as `server.js` is no command line of its own).
 */
function restHint(args: readonly string[], maxArgs: number, typed: string): string {
  const own = args.slice(0, maxArgs).map(shellWord);
  const extra = args.slice(maxArgs).map(shellWord);
  const afterDashes = `; put arguments for the app after --: velos ${typed} ${[...own, '--', ...extra].join(' ')}`;
  const isProgram = maxArgs === 1 && /^[\w@+-]+$/.test(args[0]!);
  const quoted = `velos ${typed} ${JSON.stringify([...own, ...extra].join(' '))}`;
  return isProgram ? `${afterDashes}, or quote a command line: ${quoted}` : afterDashes;
}

/** `word` as one word of a shell command line: single-quoted unless it is plainly one already. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** A config file's word: its apps take no arguments after `--`. */
const CONFIG_WORD = /\.(json|ya?ml|toml)$|(^|\/)ecosystem[^/]*\.[cm]?js$|\.config\.[cm]?js$/i;

/**
 * An unknown option of `velos start` is most often the app's own (`velos start server.js --port
 * 3000`): where it goes, written out with the words typed (its value too, when one follows).
 */
function appOptionHint(args: readonly string[], arg: string, typed: string, next?: string): string {
  if (args.some((word) => CONFIG_WORD.test(word))) return '';
  if (args.length === 0)
    return `; an option of the app goes after its script and --: velos ${typed} <script> -- ${arg}`;
  const own = args.map(shellWord).join(' ');
  const value = next !== undefined && !next.startsWith('-') && !arg.includes('=') ? [next] : [];
  return `; an option of the app goes after --: velos ${typed} ${own} -- ${[arg, ...value].map(shellWord).join(' ')}`;
}

/** How the option `name` was typed (`-c` for `cron`), for a message about its value; `--name` when unknown. */
export function flagAsTyped(input: CommandInput, name: string): string {
  return input.typedFlags?.[name] ?? `--${name}`;
}

/**
 * True when the word after an option with an optional value is that value (commander's `[value]`):
 * a word that is no option, once the command has all its arguments (`velos start app.js --watch src`
 * watches src; `velos start --watch app.js` starts app.js).
 */
function nextIsValue(option: OptionSpec, next: string | undefined, argsFull: boolean): boolean {
  if (next === undefined || next === '--' || next.startsWith('-')) return false;
  if (option.valueShape?.test(next)) return true;
  return option.takesNextWord === true && argsFull;
}

/** Commander's `<values...>`: the words after the value that match `moreValues` join it, comma-separated. */
function takeMoreValues(
  option: OptionSpec,
  argv: string[],
  i: number,
  options: CommandInput['options'],
  name: string,
): number {
  let at = i;
  while (option.moreValues && argv[at + 1] !== undefined && option.moreValues.test(argv[at + 1]!)) {
    at += 1;
    options[name] = `${options[name]},${argv[at]}`;
  }
  return at;
}

/** For a command that takes names: how to name an app whose name looks like an option (or the command's own hint). */
/** Options one command calls by another name than its neighbours (`velos logs --lines`, `velos events --limit`). */
const SYNONYMS: Readonly<Record<string, readonly string[]>> = {
  lines: ['limit'],
  limit: ['lines'],
  tail: ['lines', 'limit'],
  count: ['limit', 'lines'],
  // PM2's `logs --highlight <value>`: the nearest Velos has shows only the lines that match
  highlight: ['grep'],
};

/** The command's own name for an option it knows under another (`--lines` → `--limit`), else null. */
function synonymOf(name: string, spec: CommandSpec): string | null {
  return (SYNONYMS[name] ?? []).find((other) => spec.options[other] !== undefined) ?? null;
}

function dashHint(
  spec: CommandSpec,
  args: readonly string[],
  arg: string,
  typed: string,
  next?: string,
): string {
  const own = spec.dashHint?.(args, arg) ?? null;
  if (own !== null) return own;
  if (spec.acceptsRest) return appOptionHint(args, arg, typed, next);
  if (spec.maxArgs === 0) return '';
  return `; to name an app called ${JSON.stringify(arg)}, put it after --: velos ${typed} -- ${arg}`;
}

/** Which of the required arguments are missing, when some were given (`; <target...> is missing`). */
function missingArgs(spec: CommandSpec, args: string[]): string {
  const required = (spec.argsUsage ?? '').split(' ').filter((word) => word.startsWith('<'));
  const missing = required.slice(args.length);
  if (args.length === 0 || missing.length === 0) return '';
  return `; ${missing.join(' ')} ${missing.length === 1 ? 'is' : 'are'} missing`;
}

/**
 * The next word as the value of `flag`, unless it is an option of the command itself (`--name
 * --dry-run`: the app was named `--dry-run` and started for real): that is refused, `--flag=value`
 * giving such a value on purpose. Other words starting with a dash are values (`--node-args --inspect`).
 */
function nextValue(
  spec: CommandSpec,
  shorts: ReadonlyMap<string, string>,
  typed: string,
  flag: string,
  word: string | undefined,
): string | undefined {
  if (word === undefined || !word.startsWith('-')) return word;
  const isOwn = word.startsWith('--')
    ? spec.options[word.slice(2).split('=')[0]!] !== undefined
    : word.length === 2 && shorts.has(word[1]!);
  if (!isOwn) return word;
  const form = flag.startsWith('--') ? `${flag}=${word}` : `${flag}${word}`;
  throw usageError(
    `option ${flag} needs a value, got the option ${word} (for that very value write ${form})`,
    typed,
  );
}

function requireValue(typed: string, flag: string, option: OptionSpec, value: string | undefined): string {
  if (value === undefined) {
    throw usageError(`option ${flag} needs a value${option.value ? ` <${option.value}>` : ''}`, typed);
  }
  return value;
}

/**
 * A command and its subcommand typed as one word (`import-pm2`, `config:set`): `velos import pm2`, or
 * null. `find` looks a command up by name (the command table's findCommand).
 */
export function joinedSubcommand(
  word: string,
  find: (name: string) => CommandSpec | undefined,
): string | null {
  const at = word.search(/[-_:]/);
  if (at <= 0) return null;
  const [head, sub] = [word.slice(0, at), word.slice(at + 1)];
  const completes = find(head)?.completes;
  if (completes === undefined || sub === '') return null;
  const first = Array.isArray(completes) ? completes[0] : Object.keys(completes);
  return Array.isArray(first) && first.includes(sub) ? `velos ${head} ${sub}` : null;
}
