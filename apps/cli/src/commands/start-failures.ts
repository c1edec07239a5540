import { ErrorCodes, type ProcessInfo, type VelosControl, VelosError } from '@velos/core';

/** The prefix of the line the daemon writes into an app's err log when it cannot spawn it. */
const NOTE_PREFIX = 'velos: ';

/**
 * The error of a `start` that left some of its apps unspawnable (`errored`, reason `spawn-error`: a
 * script or program that is not there or not executable, a working directory that does not exist): one
 * line naming each with the daemon's reason (the note in its err log), SPAWN_FAILED; null when all
 * spawned. The apps stay listed, errored, as the table printed before shows; the others of the same
 * start run.
 */
export async function spawnFailure(
  client: Pick<VelosControl, 'logs'>,
  listed: ProcessInfo[],
  names: ReadonlySet<string>,
): Promise<VelosError | null> {
  const failed = listed.filter(
    (p) => names.has(p.name) && p.status === 'errored' && p.lastExitReason === 'spawn-error',
  );
  if (failed.length === 0) return null;
  const reasons = await Promise.all(
    failed.map(async (p) => {
      const [note] = await client.logs({ target: String(p.id), lines: 1, stream: 'err' }).catch(() => []);
      const text = note?.line.startsWith(NOTE_PREFIX)
        ? note.line.slice(NOTE_PREFIX.length)
        : 'could not start';
      return `${p.name}: ${text}`;
    }),
  );
  return new VelosError(ErrorCodes.SPAWN_FAILED, reasons.join('; '));
}

/**
 * `spawnFailure` of the processes a restart or reload acted on, by id: an instance it left alone
 * (`velos restart 0` of an app of two) is not its failure.
 */
export function spawnFailureOf(
  client: Pick<VelosControl, 'logs'>,
  listed: ProcessInfo[],
  acted: readonly ProcessInfo[],
): Promise<VelosError | null> {
  const ids = new Set(acted.map((p) => p.id));
  return spawnFailure(
    client,
    listed.filter((p) => ids.has(p.id)),
    new Set(acted.map((p) => p.name)),
  );
}
