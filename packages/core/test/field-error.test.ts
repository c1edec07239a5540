import { describe, expect, it } from 'vitest';
import { ErrorCodes, fromErrorPayload, toErrorPayload, VelosError } from '../src/errors.js';
import { fieldError, fieldErrorData, renameField } from '../src/field-error.js';

describe('fieldError and renameField', () => {
  it('names the payload field, and keeps field and detail in its data across the wire', () => {
    const error = fieldError('grep', 'invalid regular expression "(": Unterminated group');
    expect(error).toMatchObject({
      code: ErrorCodes.INVALID_ARGUMENT,
      message: 'grep: invalid regular expression "(": Unterminated group',
    });
    const rebuilt = fromErrorPayload(toErrorPayload(error));
    expect(fieldErrorData(rebuilt)).toEqual({
      field: 'grep',
      detail: 'invalid regular expression "(": Unterminated group',
    });
  });

  it("rebuilds the message with each surface's name of the field, a path keeping its tail", () => {
    const grep = renameField(fieldError('grep', 'expected at most 1000 characters, got 1200'), {
      grep: '--grep',
    }) as VelosError;
    expect(grep.message).toBe('--grep: expected at most 1000 characters, got 1200');
    expect(grep.data).toMatchObject({
      field: '--grep',
      detail: 'expected at most 1000 characters, got 1200',
    });
    const kind = renameField(fieldError('kinds[1]', 'unknown event kind "x"'), { kinds: 'kind' });
    expect((kind as VelosError).message).toBe('kind[1]: unknown event kind "x"');
  });

  it('leaves other errors and fields it has no name for as they are', () => {
    const plain = new VelosError(ErrorCodes.INVALID_ARGUMENT, 'grep: something', { data: { field: 'grep' } });
    expect(renameField(plain, { grep: 'pattern' })).toBe(plain);
    const other = fieldError('since', 'expected a time');
    expect(renameField(other, { grep: 'pattern' })).toBe(other);
    // a name of Object.prototype is no field name
    const proto = fieldError('constructor', 'x');
    expect(renameField(proto, {})).toBe(proto);
    const thrown = new Error('boom');
    expect(renameField(thrown, { grep: 'pattern' })).toBe(thrown);
  });
});
