import type { ArgCompletion, CommandSpec, OptionSpec } from '../command-spec.js';

/** What the word under the cursor completes to: fixed words, names the daemon knows, or file names. */
export type CompletionAnswer =
  | { kind: 'words'; words: string[] }
  | {
      kind: 'names';
      source: 'target' | 'app' | 'job' | 'rule' | 'component';
      words: string[];
      /** File names too (`velos start` takes a script or an app). */
      withFiles?: boolean;
    }
  /** An app's config keys: `max_memory=` to set one (`withValue`), `max_memory` to unset one. */
  | { kind: 'config-keys'; withValue: boolean }
  | { kind: 'files' };

const NOTHING: CompletionAnswer = { kind: 'words', words: [] };
/** PM2's global flags (`pm2/global-flags.ts`), taken anywhere before `--`. */
const GLOBAL_FLAGS = ['--silent', '--no-color'];

/**
 * What the word at `index` of `words` (the command line after `velos`, the word being typed included)
 * completes to, by the command table: a command name first, then the command's options (a word that
 * starts with `-`), an option's value (file names) or its positional arguments (`CommandSpec.completes`).
 * Words typed so far are not filtered here: the shell matches them against the prefix.
 */
export function completeWords(
  commands: readonly CommandSpec[],
  words: readonly string[],
  index: number,
): CompletionAnswer {
  const before = words
    .slice(0, Math.max(0, index))
    .filter((word) => !GLOBAL_FLAGS.includes(word) && word !== '-s');
  const current = words[index] ?? '';
  const visible = commands.filter((command) => !command.hidden);
  if (before.length === 0) {
    if (current.startsWith('-')) return { kind: 'words', words: ['--help', '--version', ...GLOBAL_FLAGS] };
    return { kind: 'words', words: [...visible.map((command) => command.name), 'help'] };
  }
  // a value after `=` (`max_memory=2G`, `--cwd=/srv`): bash splits the word there (COMP_WORDBREAKS), so
  // the value is a word of its own after a lone `=`: a file for an option, nothing for a key; zsh and
  // fish keep the whole word, which is not completed
  if (current.includes('=')) return NOTHING;
  if (before.at(-1) === '=') return before.at(-2)?.startsWith('-') ? { kind: 'files' } : NOTHING;
  const [first, ...rest] = before;
  if (first === 'help')
    return before.length === 1 ? { kind: 'words', words: visible.map((c) => c.name) } : NOTHING;
  const spec = commands.find((command) => command.name === first || command.aliases?.includes(first!));
  if (!spec) return NOTHING;
  const { positionals, isOptionValue, isAfterDashDash } = readArgs(spec, rest);
  if (isAfterDashDash) return spec.acceptsRest ? { kind: 'files' } : NOTHING;
  if (isOptionValue) return { kind: 'files' };
  if (current.startsWith('-')) return { kind: 'words', words: optionWords(spec) };
  return positionalAnswer(spec, positionals);
}

/** The positionals typed before the cursor, and whether the cursor is at an option's value or after `--`. */
function readArgs(
  spec: CommandSpec,
  words: readonly string[],
): { positionals: string[]; isOptionValue: boolean; isAfterDashDash: boolean } {
  const positionals: string[] = [];
  let isOptionValue = false;
  for (const word of words) {
    if (isOptionValue) {
      isOptionValue = false;
      continue;
    }
    if (word === '--') return { positionals, isOptionValue: false, isAfterDashDash: true };
    if (word.startsWith('-') && word.length > 1 && !/^-\d+$/.test(word)) {
      isOptionValue = takesValue(optionOf(spec, word), word);
      continue;
    }
    positionals.push(word);
  }
  return { positionals, isOptionValue, isAfterDashDash: false };
}

/** The option a typed flag names (`--cwd`, `--cwd=x`, `-n`, `-fn`: the last short flag takes the value). */
function optionOf(spec: CommandSpec, word: string): OptionSpec | undefined {
  if (word.startsWith('--')) return spec.options[word.slice(2).split('=')[0]!];
  const flag = word[word.length - 1];
  return Object.values(spec.options).find((option) => option.short === flag);
}

/** True when the next word is the flag's value: a string option that needs one and was given none inline. */
function takesValue(option: OptionSpec | undefined, word: string): boolean {
  if (option === undefined || option.type !== 'string' || word.includes('=')) return false;
  return !option.isValueOptional && !option.takesNextWord;
}

/** The long flags of a command `--help` lists, and `--help`. */
function optionWords(spec: CommandSpec): string[] {
  const flags = Object.entries(spec.options)
    .filter(([, option]) => !option.isHidden)
    .map(([name]) => `--${name}`);
  return [...flags, '--help'];
}

function positionalAnswer(spec: CommandSpec, positionals: readonly string[]): CompletionAnswer {
  const at = positionals.length;
  if (at >= spec.maxArgs || spec.completes === undefined) return NOTHING;
  const completes = spec.completes;
  if (isSlotList(completes)) return slotAnswer(slotAt(completes, at), []);
  const subcommands = Object.keys(completes).filter((word) => word !== '*');
  const other = completes['*'];
  if (at === 0) return slotAnswer(other?.[0] ?? 'none', subcommands);
  const sub = positionals[0]!;
  const slots = completes[sub];
  if (slots !== undefined) return slotAnswer(slotAt(slots, at - 1), []);
  return other === undefined ? NOTHING : slotAnswer(slotAt(other, at), []);
}

function isSlotList(completes: NonNullable<CommandSpec['completes']>): completes is readonly ArgCompletion[] {
  return Array.isArray(completes);
}

/** The slot of position `at`: the last one repeats (the command's `maxArgs` bounds it). */
function slotAt(slots: readonly ArgCompletion[], at: number): ArgCompletion {
  if (slots.length === 0) return 'none';
  return slots[Math.min(at, slots.length - 1)]!;
}

function slotAnswer(slot: ArgCompletion, words: string[]): CompletionAnswer {
  if (typeof slot !== 'string') return { kind: 'words', words: [...words, ...slot] };
  switch (slot) {
    case 'none':
      return { kind: 'words', words };
    case 'file':
      return words.length === 0 ? { kind: 'files' } : { kind: 'words', words };
    case 'signal':
      return { kind: 'words', words: [...words, ...SIGNALS] };
    case 'config-key':
      return { kind: 'config-keys', withValue: true };
    case 'config-key-name':
      return { kind: 'config-keys', withValue: false };
    case 'file-or-target':
      return { kind: 'names', source: 'target', words, withFiles: true };
    default:
      return { kind: 'names', source: slot, words };
  }
}

/** The signals `velos signal` is most often given, by name. */
const SIGNALS = [
  'SIGHUP',
  'SIGINT',
  'SIGQUIT',
  'SIGTERM',
  'SIGKILL',
  'SIGUSR1',
  'SIGUSR2',
  'SIGCONT',
  'SIGSTOP',
];
