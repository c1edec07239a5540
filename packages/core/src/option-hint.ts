import { isVelosError, VelosError } from './errors.js';

/**
 * An option a message tells its reader to give, as the message words it for the CLI (`--limit 20`),
 * so that a surface naming options otherwise (REST `?limit=20`, MCP `limit: 20`) says it its own way
 * (`spellOptions`). It travels in the error's `data.options`.
 */
export interface OptionHint {
  /** The payload field the option sets (`limit`, `force`, `interpreter`). */
  option: string;
  /** The value the message gives it; absent or true: a switch (`--force`). */
  value?: string | number | boolean;
  /** The CLI's words for it in the message (`--limit 20`). */
  text: string;
  /** The words before `text` that go with it where a surface has no such option (`, or `). */
  lead?: string;
  /** The words after `text` that go with it where a surface has no such option (`, `). */
  trail?: string;
}

/** How a surface names an option; null where it has none (the hint, its lead and trail are then left out). */
export type OptionSpelling = (hint: OptionHint) => string | null;

/**
 * The hint of option `option` (a payload field, camelCase or snake_case) given `value`, worded as the
 * CLI's flag: `optionHint('limit', 20).text` is `--limit 20`, `optionHint('force').text` `--force`
 * (`flag`: a flag named otherwise, `--env` of `envProfile`).
 */
export function optionHint(
  option: string,
  value?: string | number | boolean,
  around: { lead?: string; trail?: string; flag?: string } = {},
): OptionHint {
  const flag =
    around.flag ?? `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`).replace(/_/g, '-')}`;
  const text = value === undefined || value === true ? flag : `${flag} ${value}`;
  const hint: OptionHint = { option, text };
  if (value !== undefined) hint.value = value;
  if (around.lead !== undefined) hint.lead = around.lead;
  if (around.trail !== undefined) hint.trail = around.trail;
  return hint;
}

/**
 * A message whose interpolated `OptionHint`s are written as the CLI's words (lead and trail included), with the
 * hints in `options` for the error's data.
 * @example
 * const { message, options } = optionMessage`ask for at most 5 (${optionHint('limit', 5)})`;
 * throw new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data: { options } });
 */
export function optionMessage(
  strings: TemplateStringsArray,
  ...values: unknown[]
): { message: string; options: OptionHint[] } {
  const options: OptionHint[] = [];
  let message = strings[0]!;
  values.forEach((value, i) => {
    if (isOptionHint(value)) {
      options.push(value);
      message += wordsOf(value, value.text);
    } else message += String(value);
    message += strings[i + 1]!;
  });
  return { message, options };
}

/** The option hints an error carries in `data.options` (also one rebuilt from its wire form). */
export function optionHintsOf(error: unknown): OptionHint[] {
  if (!isVelosError(error)) return [];
  const options = (error.data as { options?: unknown } | undefined)?.options;
  return Array.isArray(options) ? options.filter(isOptionHint) : [];
}

/**
 * `error` with each option its message hints at said as `spelling` says it (a `detail` of its data
 * too): REST's `spellOptions(error, (h) => `${h.option}: ${JSON.stringify(h.value ?? true)}`)` turns
 * `(save --force writes the empty list)` into `(save force: true writes the empty list)`. An error
 * without hints is returned as it is; the CLI, whose words the message has, needs no call.
 */
export function spellOptions(error: unknown, spelling: OptionSpelling): unknown {
  const hints = optionHintsOf(error);
  if (hints.length === 0) return error;
  const { code, data, message } = error as VelosError;
  const { options: _spelt, ...rest } = data as Record<string, unknown>;
  let text = message;
  let detail = typeof rest.detail === 'string' ? rest.detail : undefined;
  for (const hint of hints) {
    const spelt = spelling(hint);
    text = respell(text, hint, spelt);
    if (detail !== undefined) detail = respell(detail, hint, spelt);
  }
  if (detail !== undefined) rest.detail = detail;
  return new VelosError(code, text, { data: Object.keys(rest).length > 0 ? rest : undefined, cause: error });
}

function respell(text: string, hint: OptionHint, spelt: string | null): string {
  const from = wordsOf(hint, hint.text);
  const at = text.indexOf(from);
  if (at < 0) return text;
  const to = spelt === null ? '' : wordsOf(hint, spelt);
  return text.slice(0, at) + to + text.slice(at + from.length);
}

/** The words of a hint in a message: its lead, `said` (the option as a surface says it), its trail. */
function wordsOf(hint: OptionHint, said: string): string {
  return `${hint.lead ?? ''}${said}${hint.trail ?? ''}`;
}

function isOptionHint(value: unknown): value is OptionHint {
  const hint = value as Partial<OptionHint> | null;
  return (
    typeof hint === 'object' &&
    hint !== null &&
    typeof hint.option === 'string' &&
    typeof hint.text === 'string' &&
    (hint.lead === undefined || typeof hint.lead === 'string') &&
    (hint.trail === undefined || typeof hint.trail === 'string')
  );
}
