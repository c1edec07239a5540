import { ErrorCodes, VelosError } from './errors.js';
import { CANCEL_COMMAND } from './protocol.js';
import { PROTOCOL_COMMANDS } from './protocol-commands.js';

/**
 * Encoded bytes of a request payload past which a command whose schema keeps its payload small is refused
 * before the payload is decoded. The largest valid payloads of those commands are a few KiB (a `target`,
 * a 1 000-character `grep`, 50 event kinds, a 4 096-character path); a real client sends `{}` to `list`.
 */
export const SMALL_PAYLOAD_BYTES = 64 * 1024;

/**
 * Commands whose valid payload may be large (apps and their env, env maps, config changes, alert rules,
 * event fields): only the frame limit and the payload limits apply to them.
 */
const LARGE_PAYLOAD_COMMANDS: ReadonlySet<string> = new Set([
  'start',
  'restart',
  'reload',
  'config.set',
  'alerts.add',
  'alerts.set',
  'events.emit',
]);

/**
 * What to answer, before decoding, a request for `cmd` whose payload is `bytes` bytes of MessagePack:
 * null when it may be decoded (a payload of at most `SMALL_PAYLOAD_BYTES`, a command that takes large
 * payloads, or a command name that could not be read); `UNKNOWN_COMMAND` for a command the protocol does
 * not have, as the daemon answers it after decoding; otherwise `INVALID_ARGUMENT`. A 4.4 MB `list` of
 * 122 maps × 4 096 distinct keys, under every payload limit, took the daemon seconds to decode, walk and
 * check by schema while it answered nobody else (docs/fuzzing.md).
 */
export function payloadBytesBreach(cmd: string | null, bytes: number): VelosError | null {
  if (bytes <= SMALL_PAYLOAD_BYTES || cmd === null || LARGE_PAYLOAD_COMMANDS.has(cmd)) return null;
  if (cmd !== CANCEL_COMMAND && !Object.hasOwn(PROTOCOL_COMMANDS, cmd)) {
    return new VelosError(ErrorCodes.UNKNOWN_COMMAND, `unknown command '${cmd}'`, { data: { cmd } });
  }
  const detail = `${bytes} bytes of payload, at most ${SMALL_PAYLOAD_BYTES} for this command`;
  return new VelosError(ErrorCodes.INVALID_ARGUMENT, `${cmd}: payload: ${detail}`, {
    data: { issues: [{ path: '', message: detail }] },
  });
}
