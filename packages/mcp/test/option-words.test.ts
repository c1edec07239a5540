import { ErrorCodes, optionHint, optionMessage, type VelosControl, VelosError } from '@velos/core';
import { describe, expect, it } from 'vitest';
import { callTool } from './call-tool.js';

/** A daemon refusal worded as the daemon words one: the CLI's flag in the message, the option in its data. */
function refusal(parts: { message: string; options: unknown[] }): VelosError {
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, parts.message, { data: { options: parts.options } });
}

describe('options named in tool errors', () => {
  it("says an option the tool takes as its argument, not as the CLI's flag", async () => {
    const control = {
      runs: async () => {
        throw refusal(
          optionMessage`runs: more than one answer holds: ask for at most 3 (${optionHint('limit', 3)})`,
        );
      },
    } as unknown as VelosControl;
    expect(await callTool(control, 'job_runs', { target: 'backup', limit: 500 })).toEqual({
      content: [
        {
          type: 'text',
          text: 'INVALID_ARGUMENT: runs: more than one answer holds: ask for at most 3 (limit: 3)',
        },
      ],
      isError: true,
    });
  });

  it('leaves out an option the tool does not take, with the words that go with it', async () => {
    const control = {
      start: async () => {
        throw refusal(
          optionMessage`py cannot start: interpreter python9 not found (install it, or give its path: ${optionHint('interpreter', '<path>', { trail: ', ' })}interpreter in a config file)`,
        );
      },
    } as unknown as VelosControl;
    const answer = await callTool(control, 'process_start', { script: 'python9 -V' });
    expect(answer.content[0]!.text).toBe(
      'INVALID_ARGUMENT: py cannot start: interpreter python9 not found (install it, or give its path: interpreter in a config file)',
    );
  });
});
