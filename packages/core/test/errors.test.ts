import { describe, expect, it } from 'vitest';
import { ErrorCodes, fromErrorPayload, isVelosError, toErrorPayload, VelosError } from '../src/errors.js';

describe('VelosError', () => {
  it('keeps code, message, data and cause', () => {
    const cause = new Error('disk');
    const error = new VelosError(ErrorCodes.IO_ERROR, 'cannot write state', { cause, data: { path: '/x' } });
    expect(error.code).toBe('IO_ERROR');
    expect(error.cause).toBe(cause);
    expect(isVelosError(error)).toBe(true);
    expect(isVelosError(new Error('plain'))).toBe(false);
  });

  it('round-trips through the wire form', () => {
    const payload = toErrorPayload(
      new VelosError(ErrorCodes.TARGET_NOT_FOUND, "no process matches 'x'", { data: 1 }),
    );
    expect(payload).toEqual({ code: 'TARGET_NOT_FOUND', message: "no process matches 'x'", data: 1 });
    const rebuilt = fromErrorPayload(payload);
    expect(rebuilt).toBeInstanceOf(VelosError);
    expect(rebuilt.code).toBe('TARGET_NOT_FOUND');
    expect(rebuilt.data).toBe(1);
  });

  it('reports unknown throws as INTERNAL and never trusts unknown codes', () => {
    expect(toErrorPayload(new TypeError('boom'))).toEqual({
      code: 'INTERNAL',
      message: 'internal error: boom',
    });
    expect(fromErrorPayload({ code: 'MADE_UP', message: 'm' }).code).toBe('INTERNAL');
    expect(fromErrorPayload(undefined).message).toBe('unknown error');
  });

  it('says what to do when a lazily loaded file of the running version is gone, in one line', () => {
    const missing = Object.assign(
      new Error(
        "Cannot find module './config-reload-AB12CD.cjs'\nRequire stack:\n- /usr/lib/velos/dist/daemon.cjs",
      ),
      { code: 'MODULE_NOT_FOUND' },
    );
    const payload = toErrorPayload(missing);
    expect(payload.code).toBe('INTERNAL');
    expect(payload.message).not.toContain('\n');
    expect(payload.message).toMatch(
      /^internal error: Cannot find module '.\/config-reload-AB12CD.cjs': .*velos update/,
    );
  });
});
