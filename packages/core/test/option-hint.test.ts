import { describe, expect, it } from 'vitest';
import { ErrorCodes, fromErrorPayload, toErrorPayload, VelosError } from '../src/errors.js';
import { fieldError } from '../src/field-error.js';
import { optionHint, optionHintsOf, optionMessage, spellOptions } from '../src/option-hint.js';

const asJsonKey = (hint: { option: string; value?: unknown }) =>
  `${hint.option}: ${JSON.stringify(hint.value ?? true)}`;

describe('option hints', () => {
  it("words a message with the CLI's flags and keeps the options in its data across the wire", () => {
    const { message, options } =
      optionMessage`ask for at most 5 (${optionHint('limit', 5)}), or ${optionHint('maxBytes')}`;
    expect(message).toBe('ask for at most 5 (--limit 5), or --max-bytes');
    const error = new VelosError(ErrorCodes.INVALID_ARGUMENT, message, { data: { options } });
    expect(optionHintsOf(fromErrorPayload(toErrorPayload(error)))).toEqual([
      { option: 'limit', value: 5, text: '--limit 5' },
      { option: 'maxBytes', text: '--max-bytes' },
    ]);
    expect(optionHint('envProfile', 'prod', { flag: '--env' }).text).toBe('--env prod');
  });

  it('says each option as a surface does, and leaves out one the surface has not, with its words around', () => {
    const { message, options } =
      optionMessage`give its path: ${optionHint('interpreter', '<path>', { trail: ', ' })}interpreter in a config file (save ${optionHint('force')} empties it)`;
    const error = new VelosError(ErrorCodes.SPAWN_FAILED, message, { data: { options, apps: ['py'] } });
    const spelt = spellOptions(fromErrorPayload(toErrorPayload(error)), asJsonKey) as VelosError;
    expect(spelt).toMatchObject({
      code: ErrorCodes.SPAWN_FAILED,
      message:
        'give its path: interpreter: "<path>", interpreter in a config file (save force: true empties it)',
      data: { apps: ['py'] },
    });
    expect(optionHintsOf(spelt)).toEqual([]);
    const without = spellOptions(error, (hint) => (hint.option === 'force' ? 'force: true' : null));
    expect((without as VelosError).message).toBe(
      'give its path: interpreter in a config file (save force: true empties it)',
    );
  });

  it('rewords the detail of a field error too, and returns an error without hints as it is', () => {
    const { message, options } = optionMessage`too big (${optionHint('limit', 3)})`;
    const field = fieldError('runs', message);
    const error = new VelosError(field.code, field.message, { data: { ...(field.data as object), options } });
    const spelt = spellOptions(error, (hint) => `?${hint.option}=${hint.value}`) as VelosError;
    expect(spelt.message).toBe('runs: too big (?limit=3)');
    expect(spelt.data).toEqual({ field: 'runs', detail: 'too big (?limit=3)' });
    const plain = new VelosError(ErrorCodes.INVALID_ARGUMENT, 'save --force is typed as it is');
    expect(spellOptions(plain, () => null)).toBe(plain);
  });
});
