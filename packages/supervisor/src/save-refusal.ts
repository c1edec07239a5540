import { join } from 'node:path';
import { ErrorCodes, optionHint, optionMessage, VelosError } from '@velos/core';
import { STATE_FILE } from './state-store.js';

/**
 * The refusal of a `save` with no process listed (unless forced): it would replace the saved list
 * with an empty one, as a `velos save` typed before `velos resurrect` would. PM2 refuses it too.
 */
export function nothingToSave(home: string): VelosError {
  const { message, options } =
    optionMessage`nothing to save: no process is listed, so ${join(home, STATE_FILE)} is left as it is (save ${optionHint('force')} writes the empty list)`;
  return new VelosError(ErrorCodes.NOTHING_TO_SAVE, message, { data: { options } });
}
