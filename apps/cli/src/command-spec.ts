import type { CommandContext } from './context.js';

/** One option of a command, as parsed and as shown by `--help`. */
export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** Name of the value in help, e.g. `n`; string options only. */
  value?: string;
  /** A string option that may also stand alone (`--watch` is `true`, `--watch=src` is `"src"`). */
  isValueOptional?: boolean;
  /**
   * Commander's `[value]` (PM2's `-l, --log [path]`, `--watch [paths]`): alone, or the next word as its
   * value when that is no option and the command already has all its positional arguments.
   */
  takesNextWord?: boolean;
  /**
   * An option that may stand alone and also takes the next word as its value when the word has this shape,
   * wherever it stands (PM2's `--timestamp HH:mm:ss`, which commander reads so): a word that can only be
   * such a value (a date format) is not taken for an app name.
   */
  valueShape?: RegExp;
  /** Commander's `<values...>` (PM2's `--stop-exit-codes 0 3`): following words matching this join the value. */
  moreValues?: RegExp;
  /** Taken, but not listed in `--help` (the command's details name it): PM2's flags Velos ignores. */
  isHidden?: boolean;
  description: string;
}

/** What the parser hands a command: option values, positional arguments and the words after `--`. */
export interface CommandInput {
  options: Record<string, string | boolean | undefined>;
  args: string[];
  rest: string[];
  /** Each option as it was typed last (`-c` or `--cron` for `cron`), for messages that name it. */
  typedFlags?: Record<string, string>;
}

/**
 * What one positional argument completes to (`velos completion`): names the running daemon knows
 * (`target`: apps, namespaces and `all`; `app`; `job`; alert `rule`; reported `component`), file names,
 * both (`file-or-target`: `velos start` takes a script or an app), signal names, an app's config keys
 * (`config-key`: `max_memory=`…; `config-key-name`: `max_memory`… without a value, for unset), fixed
 * words, or nothing.
 */
export type ArgCompletion =
  | 'target'
  | 'app'
  | 'job'
  | 'rule'
  | 'component'
  | 'file'
  | 'file-or-target'
  | 'signal'
  | 'config-key'
  | 'config-key-name'
  | 'none'
  | readonly string[];

/**
 * A command's positional arguments for tab completion, in order (the last one repeats up to `maxArgs`),
 * or its subcommands by their word (`config show <app>`), each with the arguments after it.
 */
export type CompletionSpec = readonly ArgCompletion[] | { readonly [sub: string]: readonly ArgCompletion[] };

/** A command of the `velos` binary: its usage, options and a lazily loaded implementation. */
export interface CommandSpec {
  name: string;
  aliases?: string[];
  /** Positional arguments as shown in usage, e.g. `<target...>`. */
  argsUsage?: string;
  /** A shorter `argsUsage` for the command list of `velos --help`. */
  shortArgsUsage?: string;
  minArgs: number;
  maxArgs: number;
  /** Accepts `-- args…` (kept in `rest`). */
  acceptsRest?: boolean;
  summary: string;
  /** Extra paragraphs for `velos <command> --help`. */
  details?: string;
  options: Record<string, OptionSpec>;
  hidden?: boolean;
  /** What its positional arguments complete to; required when it takes any (command-table test). */
  completes?: CompletionSpec;
  /**
   * The hint after an unknown option `arg` met after the positionals `args`, when the command's
   * positionals are not app names (default: how to name an app called `arg`); null for the default.
   */
  dashHint?(args: readonly string[], arg: string): string | null;
  /** The hint after a positional `arg` beyond `maxArgs` (`velos monitor api`, PM2's PM2.io switch). */
  extraArgHint?: string;
  run(ctx: CommandContext, input: CommandInput): Promise<void>;
}
